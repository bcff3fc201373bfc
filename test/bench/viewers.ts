/**
 * Live viewers of one execution's log, in a process of their own (`BENCH_ONLY=watched`): they stand
 * in for browsers on other machines. Run at the lowest CPU priority (`nice -n 19`), they take only
 * what the server, PostgreSQL and the job leave: on two shared cores, viewers parsing 12 MB of JSON
 * each in the benchmark's own process had been slowing the job they watched.
 *
 * Protocol: argv = server url, token, number of viewers. Prints "ready" once every viewer is
 * connected, reads the execution id from stdin, follows its log (a viewer cut off for falling behind
 * resubscribes from its last line, as the console does) and prints one JSON line:
 * { complete, resubscribed } — complete = viewers that got 1…lines in order.
 */
import readline from 'node:readline';
import { followLog, wsClient } from './client';

const [url, token, nArg, linesArg] = process.argv.slice(2);
const n = Number(nArg);
const lines = Number(linesArg);
const clients = [];
for (let i = 0; i < n; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => wsClient(url!, token!)))));
process.stdout.write('ready\n');
const id = Number(await new Promise<string>((res) => readline.createInterface({ input: process.stdin }).once('line', res)));

const got = new Int32Array(n);
const bad = new Int32Array(n);
let resubscribed = 0;
await Promise.all(
  clients.map(async (c, ci) => {
    let lastSeq = 0;
    for (;;) {
      try {
        return await followLog(c, id, (l) => {
          lastSeq = l.seq;
          if (/^\d+$/.test(l.message)) {
            if (Number(l.message) !== got[ci]! + 1) bad[ci]!++;
            got[ci] = Number(l.message);
          }
        }, lastSeq);
      } catch (e) {
        if (!String((e as Error).message).includes('RATE_LIMITED')) throw e;
        resubscribed++;
      }
    }
  }),
);
const complete = Array.from(got).filter((g, i) => g === lines && bad[i] === 0).length;
process.stdout.write(`${JSON.stringify({ complete, resubscribed })}\n`);
await Promise.all(clients.map((c) => c.dispose()));
process.exit(0);
