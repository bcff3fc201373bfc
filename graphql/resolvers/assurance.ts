import type { AlertRecord, ChannelRecord, DeliveryRecord, ExpectationsRecord, RowRecord } from '../../services/models';
import { requireViewer } from '../../services/auth';
import * as alerts from '../../services/alerts';
import * as channels from '../../services/channels';
import type { ChannelInputArg } from '../../services/channel-input';
import * as expectations from '../../services/expectations';
import type { Context } from '../context';

type Args = Record<string, never>;

export const assuranceResolvers = {
  Query: {
    alerts: (_: unknown, a: { filter?: alerts.AlertFilterArg | null; first?: number | null; after?: string | null }, ctx: Context) =>
      alerts.listAlerts(ctx.deps, requireViewer(ctx.viewer), a.filter, a.first, a.after),
    channels: (_: unknown, _a: Args, ctx: Context) => channels.listChannels(ctx.deps, requireViewer(ctx.viewer)),
  },
  Mutation: {
    acknowledgeAlert: (_: unknown, a: { id: string }, ctx: Context) => alerts.acknowledgeAlert(ctx.deps, requireViewer(ctx.viewer), a.id),
    createChannel: (_: unknown, a: { input: ChannelInputArg }, ctx: Context) => channels.createChannel(ctx.deps, requireViewer(ctx.viewer), a.input),
    updateChannel: (_: unknown, a: { id: string; input: ChannelInputArg }, ctx: Context) =>
      channels.updateChannel(ctx.deps, requireViewer(ctx.viewer), a.id, a.input),
    deleteChannel: (_: unknown, a: { id: string }, ctx: Context) => channels.deleteChannel(ctx.deps, requireViewer(ctx.viewer), a.id),
    testChannel: (_: unknown, a: { id: string }, ctx: Context) => channels.testChannel(ctx.deps, requireViewer(ctx.viewer), a.id),
    retryAlertDelivery: (_: unknown, a: { id: string }, ctx: Context) => channels.retryDelivery(ctx.deps, requireViewer(ctx.viewer), a.id),
  },
  Subscription: {
    alertChanged: {
      subscribe: (_: unknown, _a: Args, ctx: Context) => alerts.subscribeAlerts(ctx.deps, requireViewer(ctx.viewer)),
      resolve: (a: AlertRecord) => a,
    },
  },
  Alert: {
    id: (a: AlertRecord) => String(a.id),
    job: (a: AlertRecord, _: Args, ctx: Context) => alerts.rowOf(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a),
    execution: (a: AlertRecord, _: Args, ctx: Context) => (a.executionId === null ? null : ctx.loaders.execution.load(Number(a.executionId))),
  },
  Channel: {
    deliveries: (c: ChannelRecord, a: { first?: number | null }, ctx: Context) => channels.deliveriesOf(ctx.deps, ctx.loaders, c.id, a.first),
  },
  AlertDelivery: {
    id: (d: DeliveryRecord) => String(d.id),
    alert: (d: DeliveryRecord, _: Args, ctx: Context) => alerts.alertById(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, d.alertId),
    event: (d: DeliveryRecord) => (d.event === 'opened' ? 'OPENED' : 'RESOLVED'),
    at: (d: DeliveryRecord) => d.createdAt,
    nextAttemptAt: (d: DeliveryRecord) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
  },
  Expectations: {
    maxDurationSeconds: (e: ExpectationsRecord) => e.maxDurationSeconds,
  },
  Job: {
    expectations: (r: RowRecord, _: Args, ctx: Context) => expectations.expectationsOf(ctx.deps, ctx.loaders, r.id),
    snoozedUntil: (r: RowRecord, _: Args, ctx: Context) => expectations.snoozedUntilOf(ctx.deps, ctx.loaders, r.id),
    openAlerts: (r: RowRecord, _: Args, ctx: Context) => expectations.openAlertsOf(ctx.deps, ctx.loaders, r.id),
    retry: (r: RowRecord, _: Args, ctx: Context) => expectations.retryPolicyFor(ctx.deps, ctx.loaders, r),
  },
};
