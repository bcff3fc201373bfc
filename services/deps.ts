import type DataLoader from 'dataloader';
import type { Sql } from '../db/client';
import type { ExecutionRecord } from '../db/queries/executions';
import type { LogRecord } from '../db/queries/logs';
import type { Config } from '../lib/config';
import type { CatalogView, EngineClient } from '../jobs/types';

export type { CatalogView, EngineClient };

export type Deps = {
  sql: Sql;
  config: Config;
  catalog: CatalogView;
  engine: EngineClient;
};

/**
 * Per-request batching so that lists never cost one query per row. logPages: log pages whose read
 * was started with the execution's own (services/executions.ts prefetchLogs), by execution and page.
 */
export type Loaders = {
  execution: DataLoader<number, ExecutionRecord | undefined>;
  logPages: Map<string, Promise<LogRecord[]>>;
  /** Pages of a row's executions whose read was started with the row's own (prefetchRowExecutions), by row ref and page. */
  rowExecutionPages: Map<string, Promise<RowExecutionPage>>;
};
export type RowExecutionPage = { nodes: ExecutionRecord[]; totalCount: number };
