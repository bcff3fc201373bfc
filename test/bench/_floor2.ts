import { Http, now } from './client';
const c = await new Http('http://127.0.0.1:4100').signIn('admin@localhost', process.argv[2]!);
const refs = Array.from({ length: 60 }, (_, i) => ({ jobId: `p.job${String(i).padStart(3, '0')}`, domain: 'global' }));
await c.q('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason } }', { j: refs }).catch((e) => console.log(String(e).slice(0, 300)));
await new Promise((r) => setTimeout(r, 3000));
const q = '{ jobs(first: 50) { totalCount pageInfo { endCursor hasNextPage } nodes { jobId domain plan { summary } lastExecution { id status startedAt } nextRunAt running hasUnreadLogs } } }';
const xs: number[] = [];
for (let i = 0; i < 3000; i++) { const t = now(); await c.q(q); xs.push(now() - t); }
xs.sort((a, b) => a - b); console.log('page p50', xs[1500]!.toFixed(3));
const r = await c.q(q); console.log(r.jobs.nodes.length, JSON.stringify(r.jobs.nodes[0]));
process.exit(0);
