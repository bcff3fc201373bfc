import { Http, now } from './test/bench/client';
const http = await new Http('http://127.0.0.1:4555').signIn('bench@example.com', 'bench-password-123');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * xs.length)]!;
async function time(name: string, f: () => Promise<unknown>) {
  const xs: number[] = [];
  for (let i = 0; i < 20; i++) await f();
  for (let i = 0; i < 200; i++) { const t = now(); await f(); xs.push(now() - t); }
  console.log(name.padEnd(30), 'p50', pct(xs, 50).toFixed(2), 'p90', pct(xs, 90).toFixed(2));
}
await time('typename', () => http.q('{ __typename }'));
const anon = new Http('http://127.0.0.1:4555');
await time('typename anon', () => anon.q('{ __typename }'));
await time('healthz', () => fetch('http://127.0.0.1:4555/healthz').then((r) => r.json()));
await time('typename', () => http.q('{ __typename }'));
await time('job', () => http.q('{ job(jobId: "bench.hello", domain: "global") { id } }'));
await time('executeNow', () => http.executeNow([{ jobId: 'bench.hello', domain: 'global' }]));
