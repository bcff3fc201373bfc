/**
 * The permission matrix, generated from the schema: every root field as system administrator,
 * as system administrator of a.example only (who sees global but not b.example), as domain
 * administrator of a.example (session and API token) aiming at b.example and global, and
 * anonymously; over HTTP, and over WebSocket for subscriptions (and queries). Data is planted in
 * b.example (executions, logs, a failed report) so that a leak has something to show.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from 'graphql-ws';
import { buildSchema } from '../../graphql/schema';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, subscribe, type GqlResult, type TestApp } from '../helpers/app';
import { codesOf, coverageGaps, normalizeIds } from '../helpers/matrix';
import { waitFor } from '../helpers/worker';

let release: () => void = () => {};
let gateP: Promise<void> = new Promise((r) => (release = r));
const holdRun = async (ctx: { log: { info(m: string): void }; signal: AbortSignal }) => {
  ctx.log.info('holding');
  await Promise.race([gateP, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))))]);
};
const holdDomain = defineJob({ id: 'test.hold-domain', description: 'Holds (per domain)', kind: 'PER_DOMAIN', run: holdRun });
const holdGlobal = defineJob({ id: 'test.hold-global', description: 'Holds (global)', kind: 'GLOBAL', run: holdRun });

type Who = 'admin' | 'subsetAdmin' | 'domainAdmin' | 'token' | 'anonymous';
type Targets = {
  execB: string; execG: string; execA: string; execDel: string; adminTokenId: string; missingExec: string; reportA: string; reportB: string;
  /** A domain administrator of b.example, one to delete, and a spare session of the system administrator. */
  userB: string; userDel: string; spareSession: string;
  /** Assurance (#16): an alert, two channels (one to delete) and a given-up delivery of b.example. */
  alertB: string; channelB: string; channelDel: string; deliveryB: string;
};
type Entry = {
  query: string;
  vars?: (t: Targets, who: Who) => Record<string, unknown>;
  /** Answers anonymous callers too. */
  open?: boolean;
  /** System administrators only: FORBIDDEN for the domain administrator. */
  adminOnly?: boolean;
  /** The same operation with an id that does not exist: the domain administrator must get the very same answer. */
  missing?: (t: Targets) => Record<string, unknown>;
  /** What the domain administrator (session or token) gets when aiming out of scope. */
  scoped?: (r: GqlResult) => void;
  /** What the system administrator gets. */
  admin?: (r: GqlResult) => void;
  /** Run on a session of its own (logout). */
  fresh?: boolean;
  /**
   * The system administrator of a.example sees global, so where `vars` also aims at global his
   * out-of-scope variables aim at b.example alone (default: `vars`, and `missing` for the control).
   */
  subsetVars?: (t: Targets) => Record<string, unknown>;
  subsetMissing?: (t: Targets) => Record<string, unknown>;
  /** What the system administrator of a.example gets when aiming at b.example (default: like `scoped`). */
  subset?: (r: GqlResult) => void;
};

const noErrors = (r: GqlResult) => assert.deepEqual(codesOf(r), [], JSON.stringify(r.errors));
const code = (c: string) => (r: GqlResult) => assert.deepEqual(codesOf(r), [c], JSON.stringify(r));
const outDomains = (ds: string[]) => ds.filter((d) => d !== 'a.example');

const OPS: Record<string, Entry> = {
  'Query.ok': { query: '{ ok }', open: true, scoped: noErrors, admin: noErrors },
  'Query.viewer': { query: '{ viewer { email role domains } }', open: true, scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.viewer.domains, ['a.example']); }, admin: noErrors },
  'Query.domains': { query: '{ domains { name } }', scoped: (r) => assert.deepEqual(r.data!.domains, [{ name: 'a.example' }]), admin: (r) => assert.ok(r.data!.domains.some((d: any) => d.name === 'b.example')) },
  'Query.domainList': {
    // Searched on the server: b.example is asked for by name, and never named back outside its scope.
    query: 'query($t: String) { domainList(text: $t, first: 50) { totalCount nodes { name } pageInfo { hasNextPage } } }',
    vars: () => ({ t: 'example' }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.domainList, { totalCount: 1, nodes: [{ name: 'a.example' }], pageInfo: { hasNextPage: false } }); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.domainList.nodes.some((d: any) => d.name === 'b.example')); assert.ok(r.data!.domainList.totalCount >= 2); },
  },
  'Query.apiTokens': { query: '{ apiTokens { id name } }', scoped: (r) => { noErrors(r); assert.ok(r.data!.apiTokens.every((t: any) => t.name !== 'admin-token')); }, admin: noErrors },
  'Query.jobs': {
    // first as a variable: graphql-armor multiplies the cost by a literal first only.
    query: 'query($f: JobFilter, $n: Int) { jobs(filter: $f, first: $n) { totalCount nodes { domain lastExecution { id domain } } } }',
    vars: () => ({ f: { domain: 'b.example' }, n: 500 }),
    missing: () => ({ f: { domain: 'nope.example' }, n: 500 }),
    scoped: (r) => { noErrors(r); assert.equal(r.data!.jobs.totalCount, 0); assert.deepEqual(r.data!.jobs.nodes, []); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.jobs.totalCount > 0); },
  },
  'Query.job': {
    query: 'query($d: String!) { job(jobId: "domain.activity-report", domain: $d) { id domain } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: (r) => { noErrors(r); assert.equal(r.data!.job, null); },
    admin: (r) => assert.equal(r.data!.job.domain, 'b.example'),
  },
  'Query.jobsByRefs': {
    query: 'query($r: [JobRef!]!) { jobsByRefs(refs: $r) { id domain } }',
    vars: () => ({ r: [{ jobId: 'domain.activity-report', domain: 'b.example' }, { jobId: 'system.retention', domain: 'global' }] }),
    missing: () => ({ r: [{ jobId: 'domain.activity-report', domain: 'nope.example' }, { jobId: 'system.retention', domain: 'nope.example' }] }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.jobsByRefs, [null, null]); },
    subsetVars: () => ({ r: [{ jobId: 'domain.activity-report', domain: 'b.example' }] }),
    subsetMissing: () => ({ r: [{ jobId: 'domain.activity-report', domain: 'nope.example' }] }),
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.jobsByRefs, [null]); },
    admin: (r) => assert.deepEqual(r.data!.jobsByRefs.map((j: { domain: string }) => j.domain), ['b.example', 'global']),
  },
  'Query.previewRule': {
    // With a job: that row's own times, so a row out of scope answers like one that does not exist.
    query: 'query($j: JobRef) { previewRule(rule: { kind: EVERY_HOURS, every: 4, spreadMinutes: 60 }, count: 2, job: $j) { summary next } }',
    vars: () => ({ j: { jobId: 'domain.activity-report', domain: 'b.example' } }),
    missing: () => ({ j: { jobId: 'domain.activity-report', domain: 'nope.example' } }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.previewRule.next.length, 2); },
  },
  'Query.execution': {
    query: 'query($id: ID!) { execution(id: $id) { id domain logs { entries { message } } } }',
    vars: (t) => ({ id: t.execB }),
    missing: (t) => ({ id: t.missingExec }),
    scoped: (r) => { noErrors(r); assert.equal(r.data!.execution, null); },
    admin: (r) => assert.equal(r.data!.execution.domain, 'b.example'),
  },
  'Query.outbox': {
    query: '{ outbox { nodes { id executionId subject recipients text html execution { id jobId domain } } } }',
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.deepEqual(r.data!.outbox.nodes.map((n: any) => n.id).sort(), [t.reportA, t.reportB].sort()); },
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.outbox.nodes.map((n: any) => n.id), [t.reportA]); },
  },
  'Query.users': {
    query: '{ users(first: 200) { totalCount nodes { email role domains disabled createdAt lastSignInAt } } }',
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.ok(r.data!.users.nodes.some((u: any) => u.email === 'db@b.example')); },
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.users.nodes.map((u: any) => u.email).sort(), ['da@a.example', 'sa@a.example']); },
  },
  'Query.user': {
    query: 'query($id: ID!) { user(id: $id) { email domains } }',
    vars: (t) => ({ id: t.userB }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    adminOnly: true,
    admin: (r) => assert.equal(r.data!.user.email, 'db@b.example'),
    subset: (r) => { noErrors(r); assert.equal(r.data!.user, null); },
  },
  'Query.sessions': {
    query: '{ sessions { id current address } }',
    scoped: (r) => { noErrors(r); assert.ok(r.data!.sessions.every((x: any) => x.id !== t.spareSession)); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.sessions.some((x: any) => x.current)); },
  },
  'Mutation.updateUser': {
    query: 'mutation($id: ID!) { updateUser(id: $id, input: { disabled: false }) { email disabled } }',
    vars: (t) => ({ id: t.userB }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    adminOnly: true,
    admin: (r) => assert.deepEqual(r.data!.updateUser, { email: 'db@b.example', disabled: false }),
    subset: code('NOT_FOUND'),
  },
  'Mutation.deleteUser': {
    query: 'mutation($id: ID!) { deleteUser(id: $id) }',
    vars: (t) => ({ id: t.userDel }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    adminOnly: true,
    admin: (r) => assert.equal(r.data!.deleteUser, true),
    subset: code('NOT_FOUND'),
  },
  'Mutation.setPassword': {
    query: 'mutation($id: ID!) { setPassword(userId: $id, password: "a-brand-new-password") }',
    vars: (t) => ({ id: t.userB }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    adminOnly: true,
    admin: (r) => assert.equal(r.data!.setPassword, true),
    subset: code('NOT_FOUND'),
  },
  'Mutation.changePassword': {
    // A wrong current password: refused for everyone, nothing changes.
    query: 'mutation { changePassword(currentPassword: "not-the-password", newPassword: "a-brand-new-password") }',
    scoped: (r) => assert.deepEqual(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'currentPassword']]),
    admin: (r) => assert.deepEqual(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'currentPassword']]),
  },
  'Mutation.endSession': {
    query: 'mutation($id: ID!) { endSession(id: $id) }',
    // Someone else's session: exactly like one that does not exist.
    vars: (t) => ({ id: t.spareSession }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => assert.equal(r.data!.endSession, true),
  },
  'Query.signInMethods': { query: '{ signInMethods { password sso } }', open: true, scoped: noErrors, admin: noErrors },
  'Query.workers': {
    query: '{ workers { id host pid slots running alive startedAt lastHeartbeatAt stoppedAt } }',
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.ok(r.data!.workers.some((w: any) => w.alive)); },
    subset: noErrors,
  },
  'Query.overview': {
    query: 'query($d: String) { overview(domain: $d) { running succeededLast24h failedLast24h rowsByStatus { status count } } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.overview.rowsByStatus, []); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.overview.succeededLast24h >= 1); },
  },
  'Query.upcoming': {
    query: '{ upcoming(first: 500) { nodes { at job { domain } } } }',
    scoped: (r) => { noErrors(r); assert.ok(r.data!.upcoming.nodes.every((n: any) => n.job.domain === 'a.example')); },
    subset: (r) => { noErrors(r); assert.ok(r.data!.upcoming.nodes.every((n: any) => ['a.example', 'global'].includes(n.job.domain))); },
    admin: noErrors,
  },
  'Query.searchLogs': {
    query: 'query($d: String) { searchLogs(search: { text: "holding", domain: $d }, first: 200) { nodes { execution { id domain } entry { seq message } } } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.searchLogs.nodes, []); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.searchLogs.nodes.length >= 1 && r.data!.searchLogs.nodes.every((n: any) => n.execution.domain === 'b.example')); },
  },
  'Query.mailTransport': { query: '{ mailTransport { configured } }', adminOnly: true, admin: noErrors, subset: noErrors },
  'Query.auditLog': { query: '{ auditLog { nodes { actor action } } }', adminOnly: true, admin: noErrors },
  'Query.scheduler': {
    query: '{ scheduler { paused since by reason pausedDomains } }',
    scoped: (r) => { noErrors(r); assert.ok(r.data!.scheduler.pausedDomains.every((d: string) => d === 'a.example'), JSON.stringify(r)); },
    admin: noErrors,
  },
  'Mutation.pauseScheduling': {
    // b.example: the domain administrators and the supervisor of a.example get what a missing domain gets.
    query: 'mutation($d: String) { pauseScheduling(domain: $d, reason: "matrix") { paused pausedDomains } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.ok(r.data!.pauseScheduling.pausedDomains.includes('b.example')); },
  },
  'Mutation.resumeScheduling': {
    query: 'mutation($d: String) { resumeScheduling(domain: $d, missed: SKIP) { paused pausedDomains } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.ok(!r.data!.resumeScheduling.pausedDomains.includes('b.example')); },
  },
  'Mutation._noop': { query: 'mutation { _noop }', open: true, scoped: noErrors, admin: noErrors },
  'Mutation.login': { query: 'mutation { login(email: "nobody@example.com", password: "wrong-password-1") { id } }', open: true },
  'Mutation.logout': { query: 'mutation { logout }', fresh: true, scoped: noErrors, admin: noErrors },
  'Mutation.executeNow': {
    query: 'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { job { jobId domain } reason execution { id } } }',
    vars: () => ({ j: [{ jobId: 'domain.activity-report', domain: 'b.example' }, { jobId: 'system.self-test', domain: 'global' }] }),
    missing: () => ({ j: [{ jobId: 'domain.activity-report', domain: 'nope.example' }, { jobId: 'system.self-test', domain: 'nope.example' }] }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.executeNow.map((x: any) => [x.reason, x.execution]), [['NOT_FOUND', null], ['NOT_FOUND', null]]); },
    subsetVars: () => ({ j: [{ jobId: 'domain.activity-report', domain: 'b.example' }] }),
    subsetMissing: () => ({ j: [{ jobId: 'domain.activity-report', domain: 'nope.example' }] }),
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.executeNow.map((x: any) => [x.reason, x.execution]), [['NOT_FOUND', null]]); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.executeNow.every((x: any) => x.reason !== 'NOT_FOUND')); },
  },
  'Mutation.cancelExecution': {
    query: 'mutation($id: ID!) { cancelExecution(id: $id) { id status } }',
    vars: (t) => ({ id: t.execB }),
    missing: (t) => ({ id: t.missingExec }),
    scoped: code('NOT_FOUND'),
    admin: noErrors,
  },
  'Mutation.updateJob': {
    query: 'mutation($d: String!) { updateJob(jobId: "domain.activity-report", domain: $d, input: { plan: { kind: DISABLED } }) { domain plan { kind } } }',
    vars: () => ({ d: 'b.example' }),
    missing: () => ({ d: 'nope.example' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => assert.equal(r.data!.updateJob.plan.kind, 'DISABLED'),
  },
  // A selection never reaches beyond the viewer's rows: out of scope counts like a row that does not exist.
  'Mutation.updateJobs': {
    query: 'mutation($s: JobSelection!) { updateJobs(select: $s, input: { report: { send: false, recipients: [] } }) { matched updated } }',
    vars: () => ({ s: { refs: [{ jobId: 'domain.activity-report', domain: 'b.example' }, { jobId: 'system.self-test', domain: 'global' }] } }),
    missing: () => ({ s: { refs: [{ jobId: 'domain.activity-report', domain: 'nope.example' }, { jobId: 'system.self-test', domain: 'nope.example' }] } }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.updateJobs, { matched: 0, updated: 0 }); },
    subsetVars: () => ({ s: { filter: { domain: 'b.example' } } }),
    subsetMissing: () => ({ s: { filter: { domain: 'nope.example' } } }),
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.updateJobs, { matched: 0, updated: 0 }); },
    admin: (r) => { noErrors(r); assert.deepEqual(r.data!.updateJobs, { matched: 2, updated: 2 }); },
  },
  'Mutation.executeSelection': {
    query: 'mutation($s: JobSelection!) { executeSelection(select: $s) { started alreadyRunning } }',
    vars: () => ({ s: { refs: [{ jobId: 'domain.activity-report', domain: 'b.example' }, { jobId: 'system.self-test', domain: 'global' }] } }),
    missing: () => ({ s: { refs: [{ jobId: 'domain.activity-report', domain: 'nope.example' }, { jobId: 'system.self-test', domain: 'nope.example' }] } }),
    scoped: (r) => { noErrors(r); assert.deepEqual(r.data!.executeSelection, { started: 0, alreadyRunning: 0 }); },
    subsetVars: () => ({ s: { filter: { domain: 'b.example', jobId: 'domain.activity-report' } } }),
    subsetMissing: () => ({ s: { filter: { domain: 'nope.example', jobId: 'domain.activity-report' } } }),
    subset: (r) => { noErrors(r); assert.deepEqual(r.data!.executeSelection, { started: 0, alreadyRunning: 0 }); },
    admin: (r) => { noErrors(r); const x = r.data!.executeSelection; assert.equal(x.started + x.alreadyRunning, 2); },
  },
  'Mutation.deleteExecutions': {
    query: 'mutation($ids: [ID!]!) { deleteExecutions(ids: $ids) }',
    vars: (t) => ({ ids: [t.execDel] }),
    missing: (t) => ({ ids: [t.missingExec] }),
    scoped: code('NOT_FOUND'),
    admin: (r) => assert.equal(r.data!.deleteExecutions, 1),
  },
  'Mutation.markLogsRead': {
    query: 'mutation($id: ID!) { markLogsRead(executionId: $id) }',
    vars: (t) => ({ id: t.execG }),
    missing: (t) => ({ id: t.missingExec }),
    subsetVars: (t) => ({ id: t.execB }),
    scoped: code('NOT_FOUND'),
    admin: noErrors,
  },
  'Mutation.createApiToken': { query: 'mutation { createApiToken(name: "matrix") { id token } }', scoped: noErrors, admin: noErrors },
  'Mutation.revokeApiToken': {
    query: 'mutation($id: ID!) { revokeApiToken(id: $id) }',
    // Someone else's token: exactly like a token that does not exist.
    vars: (t) => ({ id: t.adminTokenId }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    scoped: code('NOT_FOUND'),
  },
  'Mutation.createDomain': {
    query: 'mutation($n: String!) { createDomain(name: $n) { name } }',
    vars: (_, who) => ({ n: `c-${who.toLowerCase()}.example` }),
    adminOnly: true,
    admin: noErrors,
    subset: code('FORBIDDEN'),
  },
  'Mutation.createDomains': {
    query: 'mutation($n: [String!]!) { createDomains(names: $n) { name created } }',
    vars: (_, who) => ({ n: [`cs-${who.toLowerCase()}.example`, 'b.example'] }),
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.deepEqual(r.data!.createDomains, [{ name: 'cs-admin.example', created: true }, { name: 'b.example', created: false }]); },
    subset: code('FORBIDDEN'),
  },
  'Query.domainImpact': {
    query: 'query($n: String!) { domainImpact(name: $n) { rows executions domainAdmins } }',
    vars: () => ({ n: 'b.example' }),
    missing: () => ({ n: 'nope.example' }),
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.ok(r.data!.domainImpact.rows > 0 && r.data!.domainImpact.executions > 0); },
    subset: (r) => { noErrors(r); assert.equal(r.data!.domainImpact, null); },
  },
  'Mutation.deleteDomain': {
    // The domain createDomains just made for this viewer (entries run in order): a.example and b.example stay.
    query: 'mutation($n: String!) { deleteDomain(name: $n) }',
    vars: (_, who) => ({ n: `cs-${who.toLowerCase()}.example` }),
    adminOnly: true,
    admin: (r) => assert.equal(r.data!.deleteDomain, true),
    subset: code('FORBIDDEN'),
  },
  'Mutation.createUser': {
    query: 'mutation($e: String!, $d: [String!]!) { createUser(email: $e, password: "another-long-password", role: DOMAIN_ADMIN, domains: $d) { id } }',
    vars: (_, who) => ({ e: `u-${who.toLowerCase()}@example.com`, d: ['b.example'] }),
    missing: () => ({ e: 'u-missing@example.com', d: ['nope.example'] }),
    adminOnly: true,
    admin: noErrors,
    subset: code('BAD_USER_INPUT'),
  },
  'Mutation.retryReport': {
    query: 'mutation($id: ID!) { retryReport(id: $id) { id status subject } }',
    vars: (t) => ({ id: t.reportB }),
    missing: () => ({ id: '999999' }),
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.equal(r.data!.retryReport.status, 'PENDING'); },
    subset: code('NOT_FOUND'),
  },
  // Resources are the deployment's (JOBS_FILE, locks); the counts are of the runs the viewer may see.
  'Query.resources': { query: '{ resources { name capacity inUse waiting } }', scoped: noErrors, admin: (r) => { noErrors(r); assert.ok(r.data!.resources.some((x: any) => x.name === 'executions')); } },
  'Mutation.setResourceCapacity': {
    query: 'mutation { setResourceCapacity(name: "executions", capacity: 1) { name capacity } }',
    adminOnly: true,
    admin: (r) => { noErrors(r); assert.deepEqual(r.data!.setResourceCapacity, { name: 'executions', capacity: 1 }); },
    subset: code('FORBIDDEN'),
  },
  // Assurance (#16): alerts and channels of b.example are planted; a domain's channels are its administrators'.
  'Query.alerts': {
    query: 'query($f: AlertFilter) { alerts(filter: $f, first: 200) { totalCount nodes { id kind domain message job { jobId domain } execution { id domain } } } }',
    vars: () => ({ f: { domain: 'b.example' } }),
    missing: () => ({ f: { domain: 'nope.example' } }),
    scoped: (r) => { noErrors(r); assert.equal(r.data!.alerts.totalCount, 0); },
    admin: (r) => { noErrors(r); assert.equal(r.data!.alerts.nodes[0].domain, 'b.example'); },
  },
  'Query.channels': {
    query: '{ channels { id name domain target events deliveries { id status alert { id domain } } } }',
    scoped: (r) => { noErrors(r); assert.ok(r.data!.channels.every((c: any) => c.domain === 'a.example'), JSON.stringify(r)); },
    admin: (r) => { noErrors(r); assert.ok(r.data!.channels.some((c: any) => c.domain === 'b.example' && c.deliveries.length > 0)); },
  },
  'Mutation.acknowledgeAlert': {
    query: 'mutation($id: ID!) { acknowledgeAlert(id: $id) { id acknowledgedBy domain } }',
    vars: (t) => ({ id: t.alertB }),
    missing: () => ({ id: '999999' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.acknowledgeAlert.domain, 'b.example'); },
  },
  'Mutation.createChannel': {
    query: 'mutation($i: ChannelInput!) { createChannel(input: $i) { id domain target } }',
    vars: () => ({ i: { name: 'matrix', kind: 'SLACK', target: 'https://hooks.slack.example/matrix', events: ['FAILED'], domain: 'b.example' } }),
    missing: () => ({ i: { name: 'matrix', kind: 'SLACK', target: 'https://hooks.slack.example/matrix', events: ['FAILED'], domain: 'nope.example' } }),
    scoped: code('BAD_USER_INPUT'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.createChannel.domain, 'b.example'); },
  },
  'Mutation.updateChannel': {
    query: 'mutation($id: ID!, $i: ChannelInput!) { updateChannel(id: $id, input: $i) { id domain name } }',
    vars: (t) => ({ id: t.channelB, i: { name: 'renamed', kind: 'WEBHOOK', target: 'http://127.0.0.1/…', events: ['FAILED'], domain: 'b.example' } }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000', i: { name: 'renamed', kind: 'WEBHOOK', target: 'http://127.0.0.1/…', events: ['FAILED'], domain: 'b.example' } }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.updateChannel.name, 'renamed'); },
  },
  'Mutation.deleteChannel': {
    query: 'mutation($id: ID!) { deleteChannel(id: $id) }',
    vars: (t) => ({ id: t.channelDel }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.deleteChannel, true); },
  },
  'Mutation.testChannel': {
    // Its receiver (port 9 of this machine) refuses: the system administrator is told why.
    query: 'mutation($id: ID!) { testChannel(id: $id) }',
    vars: (t) => ({ id: t.channelB }),
    missing: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    scoped: code('NOT_FOUND'),
    admin: code('DELIVERY_FAILED'),
  },
  'Mutation.retryAlertDelivery': {
    query: 'mutation($id: ID!) { retryAlertDelivery(id: $id) { id status alert { domain } } }',
    vars: (t) => ({ id: t.deliveryB }),
    missing: () => ({ id: '999999' }),
    scoped: code('NOT_FOUND'),
    admin: (r) => { noErrors(r); assert.equal(r.data!.retryAlertDelivery.alert.domain, 'b.example'); },
  },
  'Subscription.alertChanged': { query: 'subscription { alertChanged { id kind domain } }' },
  'Subscription.heartbeat': { query: 'subscription { heartbeat(seconds: 1, count: 1) }' },
  'Subscription.executionLogBatch': { query: 'subscription($id: ID!) { executionLogBatch(executionId: $id) { lastSeq entries { seq message } } }', vars: (t) => ({ id: t.execB }), missing: (t) => ({ id: t.missingExec }) },
  'Subscription.executionLog': { query: 'subscription($id: ID!) { executionLog(executionId: $id) { seq message } }', vars: (t) => ({ id: t.execB }), missing: (t) => ({ id: t.missingExec }) },
  'Subscription.executionUpdated': { query: 'subscription { executionUpdated { id domain status } }' },
};

let app: TestApp;
let admin: Gql;
let da: Gql;
let sa: Gql;
let tok: Gql;
let anon: Gql;
let t: Targets;
const EXEC = 'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }';

async function run(admin: Gql, jobId: string, domain: string) {
  const r = (await admin.ok(EXEC, { j: [{ jobId, domain }] })).executeNow[0];
  assert.equal(r.reason, null);
  return r.execution.id as string;
}
async function ended(id: string) {
  return waitFor(`execution ${id} to end`, async () => {
    const e = (await admin.ok('query($id: ID!) { execution(id: $id) { status } }', { id })).execution;
    return e.status !== 'IN_PROGRESS' && e;
  });
}

before(async () => {
  app = await startTestApp({}, { extraJobs: [holdDomain, holdGlobal] });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
  await admin.ok('mutation { createUser(email: "sa@a.example", password: "subset-admin-pass", role: SYSTEM_ADMIN, domains: ["a.example"]) { id } }');
  sa = await new Gql(app.url).login('sa@a.example', 'subset-admin-pass');
  tok = new Gql(app.url, (await da.ok('mutation { createApiToken(name: "da-token") { token } }')).createApiToken.token);
  anon = new Gql(app.url);
  const adminTokenId = (await admin.ok('mutation { createApiToken(name: "admin-token") { id } }')).createApiToken.id;
  const execA = await run(admin, 'domain.activity-report', 'a.example');
  const execB = await run(admin, 'domain.activity-report', 'b.example');
  const execG = await run(admin, 'system.self-test', 'global');
  for (const id of [execA, execB, execG]) await ended(id);
  const execDel = await run(admin, 'domain.activity-report', 'b.example');
  await ended(execDel);
  // A given-up report in each domain: subjects, recipients and logs are tenant data.
  const plant = async (exec: string, domain: string) => {
    const [r] = await app.deps.sql<{ id: number }[]>`
      INSERT INTO outbox (execution_id, message_id, recipients, subject, text, html, status, attempts, last_error)
      VALUES (${Number(exec)}, ${`<${exec}@matrix>`}, ${[`ops@${domain}`]}::text[], ${`Report for ${domain}`}, ${`log of ${domain}`},
              ${`<p>${domain}</p>`}, 'FAILED', 5, 'gave up')
      RETURNING id::int AS id`;
    return String(r!.id);
  };
  const reportA = await plant(execA, 'a.example');
  const reportB = await plant(execB, 'b.example');
  const mkUser = async (email: string) =>
    (await admin.ok('mutation($e: String!) { createUser(email: $e, password: "b-domain-admin-pass", role: DOMAIN_ADMIN, domains: ["b.example"]) { id } }', { e: email })).createUser.id as string;
  const userB = await mkUser('db@b.example');
  const userDel = await mkUser('gone@b.example');
  const spare = await new Gql(app.url).login();
  const spareSession = (await spare.ok('{ sessions { id current } }')).sessions.find((x: { current: boolean }) => x.current).id as string;
  // An alert of each domain, channels of b.example (a receiver that refuses: port 9) and a given-up delivery.
  const alertOf = async (exec: string) => {
    const [a] = await app.deps.sql<{ id: number }[]>`
      INSERT INTO alerts (kind, row_id, job_id, domain, execution_id, message)
      SELECT 'FAILED', e.row_id, e.job_id, e.domain, e.id, 'planted by the matrix' FROM executions e WHERE e.id = ${Number(exec)}
      RETURNING id::int AS id`;
    return String(a!.id);
  };
  await alertOf(execA);
  const alertB = await alertOf(execB);
  const channel = async (name: string, domain: string) => {
    const [c] = await app.deps.sql<{ id: string }[]>`
      INSERT INTO channels (name, kind, target, secret, events, domain)
      VALUES (${name}, 'WEBHOOK', 'http://127.0.0.1:9/matrix', ${`whsec_${Buffer.alloc(32, 7).toString('base64')}`}, '{FAILED}', ${domain})
      RETURNING id`;
    return c!.id;
  };
  await channel('a hook', 'a.example');
  const channelB = await channel('b hook', 'b.example');
  const channelDel = await channel('b hook to delete', 'b.example');
  const [d] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO alert_deliveries (alert_id, event, channel_id, status, attempts, last_error)
    VALUES (${Number(alertB)}, 'opened', ${channelB}, 'FAILED', 1, 'HTTP 400') RETURNING id::int AS id`;
  t = { execA, execB, execG, execDel, adminTokenId, missingExec: '999999', reportA, reportB, userB, userDel, spareSession, alertB, channelB, channelDel, deliveryB: String(d!.id) };
});
after(async () => {
  release();
  await app?.stop();
});

test('the matrix covers every root field of the schema', () => {
  const gaps = coverageGaps(buildSchema(), Object.keys(OPS));
  assert.deepEqual(gaps, { missing: [], unknown: [] }, 'add an entry to OPS for every new root field');
});

const httpEntries = () => Object.entries(OPS).filter(([k]) => !k.startsWith('Subscription.'));

test('anonymous: UNAUTHENTICATED for everything but viewer, ok, login (and harmless no-ops)', async () => {
  for (const [key, e] of httpEntries()) {
    const r = await anon.query(e.query, e.vars?.(t, 'anonymous'));
    if (key === 'Query.viewer') assert.equal(r.data!.viewer, null);
    else if (key === 'Query.ok') assert.equal(r.data!.ok, true);
    else if (key === 'Query.signInMethods') assert.deepEqual(r.data!.signInMethods, { password: true, sso: false });
    else if (key === 'Mutation.login') assert.deepEqual(codesOf(r), ['UNAUTHENTICATED'], key);
    else if (key === 'Mutation.logout' || key === 'Mutation._noop') noErrors(r);
    else assert.deepEqual(codesOf(r), ['UNAUTHENTICATED'], `${key}: ${JSON.stringify(r)}`);
  }
  // No socket without credentials: every subscription is refused at connection.
  for (const [key, e] of Object.entries(OPS).filter(([k]) => k.startsWith('Subscription.'))) {
    const c = anon.ws();
    const err = await subscribe(c, e.query, e.vars?.(t, 'anonymous') ?? {}).done.then(() => undefined, (x) => x);
    assert.equal(err?.detail?.code ?? err?.code, 4403, `${key}: ${err}`);
    await c.dispose();
  }
});

for (const who of ['domainAdmin', 'token'] as const) {
  test(`domain administrator (${who}): nothing of b.example or global; out of scope answers like missing; admin-only FORBIDDEN`, async () => {
    const g = who === 'domainAdmin' ? da : tok;
    for (const [key, e] of httpEntries()) {
      const client = e.fresh ? (who === 'domainAdmin' ? await new Gql(app.url).login('da@a.example', 'domain-admin-pass') : g) : g;
      const r = await client.query(e.query, e.vars?.(t, who));
      if (e.adminOnly) {
        assert.deepEqual(codesOf(r), ['FORBIDDEN'], `${key}: ${JSON.stringify(r)}`);
        continue;
      }
      if (key === 'Mutation.login') continue;
      e.scoped?.(r);
      // Wherever a domain shows, it is a.example.
      const domains = [...JSON.stringify(r).matchAll(/"domain":"([^"]*)"/g)].map((m) => m[1]!);
      assert.deepEqual(outDomains(domains).filter((d) => d !== 'nope.example' || !e.missing), key === 'Mutation.executeNow' ? ['b.example', 'global'] : [], `${key} leaked ${JSON.stringify(r)}`);
      if (e.missing) {
        const m = await client.query(e.query, e.missing(t));
        const ids = [t.execB, t.execG, t.execDel, t.missingExec, t.adminTokenId, '00000000-0000-4000-8000-000000000000', 'b.example', 'nope.example', 'global'];
        assert.deepEqual(normalizeIds(r, ids), normalizeIds(m, ids), `${key}: out of scope differs from missing`);
      }
    }
    // Queries over the WebSocket answer the same as over HTTP.
    const ws = g.ws(who === 'token' ? {} : undefined);
    try {
      for (const key of ['Query.job', 'Query.execution', 'Query.jobs', 'Query.domains']) {
        const e = OPS[key]!;
        const [viaWs] = await subscribe(ws, e.query, e.vars?.(t, who) ?? {}).done;
        assert.deepEqual(viaWs, (await g.query(e.query, e.vars?.(t, who))).data, key);
      }
      // executionLog(Batch) of b.example / global: NOT_FOUND, exactly like a missing id.
      for (const key of ['Subscription.executionLog', 'Subscription.executionLogBatch']) {
      const e = OPS[key]!;
      const errOf = async (vars: Record<string, unknown>) => subscribe(ws, e.query, vars).done.then(() => 'no error', (x) => x.errors ?? x);
      const outB = await errOf({ id: t.execB });
      const outG = await errOf({ id: t.execG });
      const missing = await errOf({ id: t.missingExec });
      assert.equal(outB[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(outB));
      const norm = (x: unknown) => normalizeIds(x, [t.execB, t.execG, t.missingExec]);
      assert.deepEqual(norm(outB), norm(missing));
      assert.deepEqual(norm(outG), norm(missing));
      // His own domain's log streams.
      const own = await subscribe(ws, e.query, { id: t.execA }).done;
      assert.ok(own.length > 0);
      }
      const hb = await subscribe(ws, OPS['Subscription.heartbeat']!.query, {}).done;
      assert.equal(hb.length, 1);
    } finally {
      await ws.dispose();
    }
  });
}

test('system administrator of a.example only: every root field, nothing of b.example; out of scope answers like missing', async () => {
  const ids = [t.execB, t.execDel, t.missingExec, t.adminTokenId, t.reportB, '999999', '00000000-0000-4000-8000-000000000000', 'b.example', 'nope.example', 'u-subsetadmin@example.com', 'u-missing@example.com'];
  for (const [key, e] of httpEntries()) {
    if (key === 'Mutation.login') continue;
    const client = e.fresh ? await new Gql(app.url).login('sa@a.example', 'subset-admin-pass') : sa;
    const vars = (e.subsetVars ?? e.vars)?.(t, 'subsetAdmin');
    const r = await client.query(e.query, vars);
    (e.subset ?? e.scoped ?? noErrors)(r);
    const missingVars = e.subsetMissing ?? e.missing;
    if (missingVars) {
      const m = await client.query(e.query, missingVars(t));
      assert.deepEqual(normalizeIds(r, ids), normalizeIds(m, ids), `${key}: out of scope differs from missing`);
    } else {
      // Nothing he did not send himself may name b.example: not a row, a report, an audit entry or a domain.
      assert.ok(!JSON.stringify(r).includes('b.example'), `${key} leaked ${JSON.stringify(r)}`);
    }
  }
  // The failed report of b.example is still failed: his retry changed nothing.
  const [b] = await app.deps.sql<{ status: string }[]>`SELECT status FROM outbox WHERE id = ${Number(t.reportB)}`;
  assert.equal(b!.status, 'FAILED');
  // Over the WebSocket: queries answer as over HTTP, b.example logs answer like missing ones, his own stream.
  const ws = sa.ws();
  try {
    for (const key of ['Query.job', 'Query.execution', 'Query.jobs', 'Query.domains', 'Query.outbox', 'Query.auditLog']) {
      const e = OPS[key]!;
      const vars = (e.subsetVars ?? e.vars)?.(t, 'subsetAdmin') ?? {};
      const [viaWs] = await subscribe(ws, e.query, vars).done;
      assert.deepEqual(viaWs, (await sa.query(e.query, vars)).data, key);
    }
    for (const key of ['Subscription.executionLog', 'Subscription.executionLogBatch']) {
      const e = OPS[key]!;
      const errOf = async (vars: Record<string, unknown>) => subscribe(ws, e.query, vars).done.then(() => 'no error', (x) => x.errors ?? x);
      const outB = await errOf({ id: t.execB });
      assert.equal(outB[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(outB));
      assert.deepEqual(normalizeIds(outB, [t.execB, t.missingExec]), normalizeIds(await errOf({ id: t.missingExec }), [t.execB, t.missingExec]));
      assert.ok((await subscribe(ws, e.query, { id: t.execA }).done).length > 0);
      assert.ok((await subscribe(ws, e.query, { id: t.execG }).done).length > 0, 'global is his to see');
    }
  } finally {
    await ws.dispose();
  }
});

test('executionUpdated never delivers b.example or global executions to the domain administrator, nor b.example to the supervisor of a.example', async () => {
  const daWs = da.ws();
  const tokWs = tok.ws();
  const saWs = sa.ws();
  const adminWs = admin.ws();
  try {
    const q = OPS['Subscription.executionUpdated']!.query;
    const daSub = subscribe(daWs, q, {});
    const tokSub = subscribe(tokWs, q, {});
    const saSub = subscribe(saWs, q, {});
    const adminSub = subscribe(adminWs, q, {});
    const sawEnd = (sub: { items: any[] }, id: string) => sub.items.some((i: any) => i.executionUpdated.id === id && i.executionUpdated.status !== 'IN_PROGRESS');
    // An a.example run every domain-admin socket sees: the hub delivers in order, so whatever was
    // published before it has been delivered (or withheld) by the time it arrives.
    const barrier = async () => {
      const id = await run(admin, 'domain.activity-report', 'a.example');
      await ended(id);
      await waitFor('the a.example sockets see their own run end', async () => sawEnd(daSub, id) && sawEnd(tokSub, id) && sawEnd(saSub, id), 5000, 20);
    };
    // The subscriptions are live once a barrier gets through (retried until then).
    await waitFor('subscriptions live', async () => barrier().then(() => true, () => false), 20_000, 0);
    const heldB = await run(admin, 'test.hold-domain', 'b.example');
    const heldG = await run(admin, 'test.hold-global', 'global');
    await waitFor('admin sees the b.example and global runs', async () =>
      [heldB, heldG].every((id) => adminSub.items.some((i: any) => i.executionUpdated.id === id)));
    await barrier();
    release();
    await ended(heldB);
    await ended(heldG);
    await waitFor('admin sees them end', async () => [heldB, heldG].every((id) => sawEnd(adminSub, id)));
    await barrier();
    // The control: the system administrator's socket did get them.
    assert.ok(adminSub.items.some((i: any) => i.executionUpdated.domain === 'b.example'));
    assert.ok(adminSub.items.some((i: any) => i.executionUpdated.domain === 'global'));
    for (const sub of [daSub, tokSub]) {
      const leaked = sub.items.filter((i: any) => i.executionUpdated.domain !== 'a.example');
      assert.deepEqual(leaked, []);
    }
    // The system administrator of a.example gets global runs, never b.example ones.
    assert.ok(saSub.items.some((i: any) => i.executionUpdated.id === heldG));
    assert.deepEqual(saSub.items.filter((i: any) => i.executionUpdated.domain === 'b.example'), []);
  } finally {
    await Promise.all([daWs.dispose(), tokWs.dispose(), saWs.dispose(), adminWs.dispose()]);
  }
});

test('system administrator: every field answers, b.example and global included', async () => {
  for (const [key, e] of httpEntries()) {
    const client = e.fresh ? await new Gql(app.url).login() : admin;
    const r = await client.query(e.query, e.vars?.(t, 'admin'));
    if (key === 'Mutation.login') { assert.deepEqual(codesOf(r), ['UNAUTHENTICATED']); continue; }
    if (key === 'Mutation.revokeApiToken') { noErrors(r); continue; }
    assert.ok(e.admin, `${key} has an admin expectation`);
    e.admin!(r);
  }
  const ws = admin.ws();
  try {
    const logs = await subscribe(ws, OPS['Subscription.executionLog']!.query, { id: t.execB }).done;
    assert.ok(logs.length > 0);
    const batches = await subscribe(ws, OPS['Subscription.executionLogBatch']!.query, { id: t.execB }).done;
    const seqs = batches.flatMap((b: { executionLogBatch: { entries: { seq: number }[] } }) => b.executionLogBatch.entries.map((x) => x.seq));
    assert.deepEqual(seqs, logs.map((l: { executionLog: { seq: number } }) => l.executionLog.seq), 'batches carry the same entries, in order');
  } finally {
    await ws.dispose();
  }
});
