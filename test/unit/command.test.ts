import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { commandJob, LineSplitter, type CommandJobEntry } from '../../jobs/command';
import type { JobContext, JobServices } from '../../jobs/types';

type Entry = { level: 'INFO' | 'WARNING' | 'ERROR'; message: string };

/** The job's own context API, recording what the job logs; `lines` resolves once n lines arrived. */
function makeCtx(domain = 'global') {
  const entries: Entry[] = [];
  const progress: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const controller = new AbortController();
  const push = (level: Entry['level'], message: string) => {
    entries.push({ level, message });
    for (const w of waiters.filter((w) => entries.length >= w.n)) w.resolve();
  };
  const ctx: JobContext = {
    domain,
    executionId: 42,
    log: {
      info: (m) => push('INFO', m),
      warn: (m) => push('WARNING', m),
      error: (m) => push('ERROR', m),
    },
    progress: (p) => progress.push(p),
    signal: controller.signal,
    params: {},
    // Command jobs never reach Jobdeck's services.
    services: {} as JobServices,
  };
  const lines = (n: number) =>
    new Promise<void>((resolve) => (entries.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { ctx, entries, progress, controller, lines };
}

const opts = { killGraceMs: 300, maxLineChars: 200 };
const job = (command: string[], extra: Partial<CommandJobEntry> = {}) =>
  commandJob({ id: 't.cmd', description: 'test', kind: 'GLOBAL', command, ...extra }, opts);
const sh = (script: string, extra: Partial<CommandJobEntry> = {}) => job(['sh', '-c', script], extra);
const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-cmd-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('commandJob', () => {
  test('stdout lines are INFO, stderr lines WARNING, all logged before the run resolves', async () => {
    const { ctx, entries } = makeCtx();
    await sh('echo out; echo err >&2; i=0; while [ $i -lt 500 ]; do echo "n $i"; i=$((i+1)); done; printf tail').run(ctx);
    // stdout and stderr are two pipes: their relative order is not defined.
    assert.deepEqual(entries[0], { level: 'INFO', message: 'out' });
    assert.deepEqual(
      entries.filter((e) => e.level === 'WARNING'),
      [{ level: 'WARNING', message: 'err' }],
    );
    assert.equal(entries.length, 503);
    const stdout = entries.filter((e) => e.level === 'INFO').map((e) => e.message);
    assert.equal(stdout.length, 502);
    assert.deepEqual(stdout.slice(-2), ['n 499', 'tail'], 'a last line without newline is kept');
  });

  test('markers set the level and report progress; a progress line that is not one is logged whole', async () => {
    const { ctx, entries, progress } = makeCtx();
    await sh(
      "printf '::warning::disk 91%%\\n::error::bad thing\\n::info::from stderr\\n::progress::42\\n::progress::abc\\n::progress::150\\n::progress:: 99.6\\nplain\\r\\n' >&2",
    ).run(ctx);
    assert.deepEqual(entries, [
      { level: 'WARNING', message: 'disk 91%' },
      { level: 'ERROR', message: 'bad thing' },
      { level: 'INFO', message: 'from stderr' },
      // At the stream's level (stderr), with their full text.
      { level: 'WARNING', message: '::progress::abc' },
      { level: 'WARNING', message: '::progress::150' },
      { level: 'WARNING', message: '::progress:: 99.6' },
      { level: 'WARNING', message: 'plain' },
    ]);
    assert.deepEqual(progress, [42]);
  });

  test('only a whole percent from 0 to 100 is progress; every other progress line stays in the log', async () => {
    const { ctx, entries, progress } = makeCtx();
    const updates = ['::progress::0', '::progress::7%', '::progress:: 55 % ', '::progress::100'];
    const kept = ['::progress::abc', '::progress::150', '::progress::101', '::progress::-1', '::progress::99.6', '::progress::1e2', '::progress::0x10', '::progress::', '::progress::12 apples'];
    await job(['printf', '%s\\n', ...updates, ...kept]).run(ctx);
    assert.deepEqual(progress, [0, 7, 55, 100]);
    assert.deepEqual(entries, kept.map((message) => ({ level: 'INFO', message })));
  });

  test('a non-zero exit rejects with the code, after logging the output', async () => {
    const { ctx, entries } = makeCtx();
    await assert.rejects(sh('echo partial; exit 3').run(ctx), { message: 'exited with code 3' });
    assert.deepEqual(entries, [{ level: 'INFO', message: 'partial' }]);
  });

  test('death by signal rejects with the signal', async () => {
    const { ctx } = makeCtx();
    await assert.rejects(sh('kill -9 $$').run(ctx), { message: 'killed by SIGKILL' });
  });

  test('a program that cannot start rejects and says which', async () => {
    const { ctx } = makeCtx();
    await assert.rejects(job(['/nonexistent/jobdeck-prog']).run(ctx), /cannot start "\/nonexistent\/jobdeck-prog"/);
  });

  test('PER_DOMAIN commands get JOBDECK_DOMAIN; every command gets JOBDECK_EXECUTION_ID', async () => {
    const perDomain = makeCtx('acme.example');
    await sh('echo "$JOBDECK_DOMAIN/$JOBDECK_EXECUTION_ID"', { kind: 'PER_DOMAIN' }).run(perDomain.ctx);
    assert.equal(perDomain.entries[0]?.message, 'acme.example/42');
    const global = makeCtx();
    await sh('echo "${JOBDECK_DOMAIN-unset}/$JOBDECK_EXECUTION_ID"').run(global.ctx);
    assert.equal(global.entries[0]?.message, 'unset/42');
  });

  test('cwd and env are applied, env over the inherited environment', async () => {
    const { ctx, entries } = makeCtx();
    await sh('pwd; echo "$JOBDECK_T_VAR"; echo "$PATH" | grep -q / && echo has-path', {
      cwd: tmp,
      env: { JOBDECK_T_VAR: 'from entry' },
    }).run(ctx);
    assert.deepEqual(
      entries.map((e) => e.message),
      [realpathSync(tmp), 'from entry', 'has-path'],
    );
  });

  test('cancel: SIGTERM ends a well-behaved command at once', async () => {
    const { ctx, controller, lines } = makeCtx();
    const run = sh('echo ready; exec sleep 30').run(ctx);
    await lines(1);
    const t0 = Date.now();
    controller.abort('cancel');
    await assert.rejects(run, { message: 'stopped (cancel): killed by SIGTERM' });
    assert.ok(Date.now() - t0 < opts.killGraceMs, 'did not wait for the grace period');
  });

  test('cancel: a command that ignores SIGTERM, and its children, are killed after the grace period', async () => {
    const { ctx, entries, controller, lines } = makeCtx();
    const run = sh('trap "" TERM; echo $$; while true; do sleep 0.1; done').run(ctx);
    await lines(1);
    const pid = Number(entries[0]?.message);
    assert.ok(pid > 0 && !gone(pid));
    const t0 = Date.now();
    controller.abort('cancel');
    await assert.rejects(run, { message: 'stopped (cancel): killed by SIGKILL' });
    assert.ok(Date.now() - t0 >= opts.killGraceMs - 20, 'SIGKILL came only after the grace period');
    assert.ok(gone(pid), 'the command process is gone');
  });

  test('log backpressure pauses reading; every line arrives once the backlog drains', async () => {
    const { ctx, entries } = makeCtx();
    let release!: () => void;
    let onPaused!: () => void;
    const paused = new Promise<void>((r) => (onPaused = r));
    let calls = 0;
    ctx.pressure = () => {
      // The writer reports a full backlog once.
      if (++calls > 1) return undefined;
      onPaused();
      return new Promise<void>((r) => (release = r));
    };
    const run = sh('seq 1 100000').run(ctx);
    await paused;
    const seenWhenPaused = entries.length;
    release();
    await run;
    assert.ok(seenWhenPaused < 100_000);
    assert.equal(entries.length, 100_000);
    assert.equal(entries.at(-1)?.message, '100000');
  });

  test('a cancel ends the run even while reading is paused for backpressure', async () => {
    const { ctx, controller, lines } = makeCtx();
    ctx.pressure = () => new Promise<void>(() => {}); // a log writer that never drains
    const run = sh('seq 1 100000; exec sleep 30').run(ctx);
    await lines(1);
    controller.abort('timeout');
    await assert.rejects(run, /^Error: stopped \(timeout\): killed by SIGTERM$/);
  });

  test('cancel: a descendant that left the process group and holds the pipe does not hang the run', async () => {
    const { ctx, entries, controller, lines } = makeCtx();
    const run = sh('setsid sh -c \'echo $$; exec sleep 30\' & trap "" TERM; while true; do sleep 0.1; done').run(ctx);
    await lines(1);
    const escapedPid = Number(entries[0]?.message);
    try {
      controller.abort('cancel');
      await assert.rejects(run, { message: 'stopped (cancel): killed by SIGKILL' });
    } finally {
      process.kill(escapedPid, 'SIGKILL');
    }
  });

  test('an already aborted signal starts nothing', async () => {
    const { ctx, controller, entries } = makeCtx();
    controller.abort('shutdown');
    await assert.rejects(sh('echo should-not-run').run(ctx), /not started: shutdown/);
    assert.equal(entries.length, 0);
  });

  test('a 10 MB line is cut at maxLineChars while streaming', async () => {
    const { ctx, entries } = makeCtx();
    const bytes = 10 * 1024 * 1024;
    const script = `process.stdout.write('x'.repeat(${bytes}) + '\\nafter\\n')`;
    await job([process.execPath, '-e', script]).run(ctx);
    assert.equal(entries.length, 2, JSON.stringify(entries.map((e) => [e.level, e.message.slice(0, 100), e.message.length])));
    const first = entries[0]!.message;
    assert.ok(first.length <= opts.maxLineChars, `kept ${first.length} chars`);
    const m = /^(x+)… \[cut (\d+) chars\]$/.exec(first);
    assert.ok(m, first.slice(-40));
    assert.equal(m[1]!.length + Number(m[2]), bytes);
    assert.deepEqual(entries[1], { level: 'INFO', message: 'after' });
  });
});

describe('LineSplitter', () => {
  test('holds at most maxLineChars of a huge line, whatever the chunking', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(100, (l) => lines.push(l));
    const chunk = Buffer.from('y'.repeat(64 * 1024));
    for (let i = 0; i < 160; i++) {
      splitter.write(chunk);
      assert.ok(splitter.bufferedChars <= 100);
    }
    splitter.write(Buffer.from('\nshort\n'));
    splitter.end();
    assert.equal(lines.length, 2);
    assert.ok(lines[0]!.length <= 100);
    assert.match(lines[0]!, new RegExp(`… \\[cut ${160 * 64 * 1024 - (lines[0]!.indexOf('…'))} chars\\]$`));
    assert.equal(lines[1], 'short');
  });

  test('multi-byte characters split across chunks stay whole', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(100, (l) => lines.push(l));
    const bytes = Buffer.from('é€😀\n');
    for (const b of bytes) splitter.write(Buffer.from([b]));
    splitter.end();
    assert.deepEqual(lines, ['é€😀']);
  });

  test('a line of exactly maxLineChars is not cut', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(30, (l) => lines.push(l));
    const exact = 'a'.repeat(30);
    splitter.write(Buffer.from(`${exact}\n${exact}b\n`));
    assert.deepEqual(lines, [exact, `${'a'.repeat(14)}… [cut 17 chars]`]);
  });
});
