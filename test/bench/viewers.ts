/**
 * Live viewers of one execution's log, in a process of their own (`BENCH_ONLY=watched`): they stand
 * in for browsers on other machines. Run at the lowest CPU priority (`nice -n 19`), they take only
 * what the server, PostgreSQL and the job leave: on two shared cores, viewers parsing 12 MB of JSON
 * each in the benchmark's own process had been slowing the job they watched.
 *
 * Protocol: argv = server url, token, number of viewers. Prints "ready" once every viewer is
 * connected, reads the execution id from stdin, follows its log, prints "subscribed" once every viewer
 * has its first line (the job waits for it before its flood; a viewer cut off for falling behind
 * resubscribes from its last line, as the console does; one whose socket the server ended connects
 * again and resumes) and prints one JSON line: { complete, resubscribed, reconnected } — complete =
 * viewers that got 1…lines in order.
 */
import readline from 'node:readline';
import { followNumbered, wsClient } from './client';

const [url, token, nArg, linesArg] = process.argv.slice(2);
const n = Number(nArg);
const lines = Number(linesArg);
const clients = [];
for (let i = 0; i < n; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => wsClient(url!, token!)))));
process.stdout.write('ready\n');
const id = Number(await new Promise<string>((res) => readline.createInterface({ input: process.stdin }).once('line', res)));

const { complete, resubscribed, reconnected } = await followNumbered(clients, id, lines, () => wsClient(url!, token!), () => process.stdout.write('subscribed\n'));
process.stdout.write(`${JSON.stringify({ complete, resubscribed, reconnected })}\n`);
await Promise.all(clients.map((c) => c.dispose()));
process.exit(0);
