import type DataLoader from 'dataloader';
import type { Sql } from '../db/client';
import type { ExecutionRecord } from '../db/queries/executions';
import type { Config } from '../lib/config';
import type { JobDefinition } from '../jobs/types';

export type CatalogView = { get(id: string): JobDefinition | undefined; list(): JobDefinition[] };

/** What the web side needs from the engine; the engine's Agenda lives behind it. */
export interface EngineClient {
  /** Hands freshly opened executions to whichever workers take them first. */
  queueExecutions(executionIds: number[]): Promise<void>;
  /** Makes Agenda hold exactly one pending occurrence for the row (none when at is null). */
  scheduleRow(rowId: string, at: Date | null): Promise<void>;
  /** Creates and schedules the rows of a new domain. */
  syncDomain(domain: string): Promise<void>;
}

export type Deps = {
  sql: Sql;
  config: Config;
  catalog: CatalogView;
  engine: EngineClient;
};

/** Per-request batching so that lists never cost one query per row. */
export type Loaders = { execution: DataLoader<number, ExecutionRecord | undefined> };
