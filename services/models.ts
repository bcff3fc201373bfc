/**
 * The shapes the GraphQL layer maps its types from (codegen's mappers and resolvers' parents). They
 * are the services' results; the GraphQL layer names them from here and never reaches into db/.
 */
export type { ExecutionRecord } from '../db/queries/executions';
export type { LogRecord } from '../db/queries/logs';
export type { RowRecord } from '../db/queries/rows';
export type { RuleJson } from '../db/schema/jobs';
export type { Rule } from '../jobs/types';
export type { UserModel, UserRecord } from '../db/queries/users';
export type { DomainRecord } from '../db/queries/domains';
export type { OutboxMessage } from '../db/queries/outbox';
export type { WorkerRecord } from '../db/queries/workers';
export type { AlertRecord } from '../db/queries/alerts';
export type { ChannelRecord, DeliveryRecord } from '../db/queries/channels';
export type { ExpectationsRecord } from '../db/queries/expectations';
