import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { groupRunning, signalGroup } from './process-group';
import { parameterEnvName } from './parameters';
import type { JobContext, JobDefinition, JobKind, ParameterDeclaration } from './types';

/** One entry of JOBS_FILE once validated (see jobs/catalog.ts and API.md "Command jobs"). */
export interface CommandJobEntry {
  id: string;
  description: string;
  kind: JobKind;
  /** Program and arguments; run without a shell. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  automatic?: JobDefinition['automatic'];
  timeoutSeconds?: number;
  locks?: string[];
  /** Typed arguments of a run: each reaches the command as JOBDECK_PARAM_<NAME upper-cased>. */
  parameters?: ParameterDeclaration[];
  /** Runs that fail are tried again (trigger RETRY). */
  retry?: JobDefinition['retry'];
}

export interface CommandJobOptions {
  /** Between SIGTERM and SIGKILL of the process group when the run is aborted. */
  killGraceMs: number;
  /** Longest message logged per output line, suffix included; the rest is counted and dropped. */
  maxLineChars: number;
}

/**
 * Once an aborted command's process group is gone (or got SIGKILL), how long the pipes may stay
 * open: a descendant that left the group (setsid) can hold them forever, and the run must still end.
 */
export const PIPE_LINGER_MS = 1000;

/** While an aborted command winds down, how often to look whether its group still runs: soon, then less often. */
const GROUP_POLL_FIRST_MS = 5;
const GROUP_POLL_MAX_MS = 200;

const cutSuffix = (cutChars: number) => `… [cut ${cutChars} chars]`;

/**
 * Splits a byte stream into lines without ever holding more than `maxLineChars` characters of
 * one line: a job may print a 10 MB line, and readline would buffer all of it.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private head = '';
  /** Characters of the current line that were not kept in `head`. */
  private droppedChars = 0;

  constructor(
    private readonly maxLineChars: number,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Characters held for the current line; never more than maxLineChars (tests watch it). */
  get bufferedChars(): number {
    return this.head.length;
  }

  write(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  /** Emits the last line when the stream ended without a newline. */
  end(): void {
    this.push(this.decoder.end());
    if (this.head !== '' || this.droppedChars > 0) this.emit();
  }

  private push(text: string): void {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const stop = nl === -1 ? text.length : nl;
      this.keep(text, start, stop);
      if (nl === -1) return;
      this.emit();
      start = nl + 1;
    }
  }

  private keep(text: string, start: number, stop: number): void {
    const room = this.maxLineChars - this.head.length;
    const take = Math.max(0, Math.min(room, stop - start));
    if (take > 0) this.head += text.slice(start, start + take);
    this.droppedChars += stop - start - take;
  }

  private emit(): void {
    let line = this.head;
    let total = line.length + this.droppedChars;
    // CRLF output: the \r belongs to the line ending, not the message.
    if (this.droppedChars === 0 && line.endsWith('\r')) {
      line = line.slice(0, -1);
      total -= 1;
    }
    this.head = '';
    this.droppedChars = 0;
    this.onLine(total <= this.maxLineChars ? line : cutLine(line, total, this.maxLineChars));
  }
}

/** The first characters of a line of `totalChars`, plus a suffix saying how many were cut; at most `maxChars`. */
function cutLine(head: string, totalChars: number, maxChars: number): string {
  let keptChars = maxChars - cutSuffix(totalChars).length;
  // The suffix's length depends on the count it reports; settle both.
  for (let i = 0; i < 3; i++) keptChars = maxChars - cutSuffix(totalChars - keptChars).length;
  keptChars = Math.max(0, keptChars);
  // Never split a surrogate pair.
  const code = head.charCodeAt(keptChars - 1);
  if (keptChars > 0 && code >= 0xd800 && code <= 0xdbff) keptChars -= 1;
  return head.slice(0, keptChars) + cutSuffix(totalChars - keptChars);
}

/** `::progress::NN`: a whole percent, 0 to 100, an optional "%" and spaces around. */
const PROGRESS_RE = /^\s*(\d{1,3})\s*%?\s*$/;

/** Routes one output line to the log: markers set the level, otherwise the stream does. */
export function logLine(ctx: Pick<JobContext, 'log' | 'progress'>, line: string, fromStderr: boolean): void {
  if (line.startsWith('::warning::')) return ctx.log.warn(line.slice('::warning::'.length));
  if (line.startsWith('::error::')) return ctx.log.error(line.slice('::error::'.length));
  if (line.startsWith('::info::')) return ctx.log.info(line.slice('::info::'.length));
  if (line.startsWith('::progress::')) {
    const m = PROGRESS_RE.exec(line.slice('::progress::'.length));
    const percent = m ? Number(m[1]) : NaN;
    if (percent >= 0 && percent <= 100) return ctx.progress(percent);
    // Not a progress update ("abc", "150", "99.6"): what the job printed stays in its log, whole.
  }
  if (fromStderr) ctx.log.warn(line);
  else ctx.log.info(line);
}

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error) return r.message;
  return 'aborted';
}

/** Jobdeck's own secrets: removed from the environment a command inherits. */
export const SECRET_ENV = ['DATABASE_URL', 'SMTP_URL', 'ADMIN_PASSWORD', 'ADMIN_EMAIL'] as const;

/** Runs `command` (no shell) to completion, logging its output; rejects on failure or abort. */
export function runCommand(entry: CommandJobEntry, opts: CommandJobOptions, ctx: JobContext): Promise<void> {
  const [program, ...args] = entry.command;
  if (program === undefined) return Promise.reject(new Error('command is empty'));
  if (ctx.signal.aborted) return Promise.reject(new Error(`not started: ${abortReason(ctx.signal)}`));

  const env: NodeJS.ProcessEnv = { ...process.env, ...entry.env, JOBDECK_EXECUTION_ID: String(ctx.executionId) };
  // Jobdeck's own secrets never reach a command (a JOBS_FILE entry may set its own values).
  for (const k of SECRET_ENV) if (!entry.env || !(k in entry.env)) delete env[k];
  if (entry.kind === 'PER_DOMAIN') env.JOBDECK_DOMAIN = ctx.domain;
  else delete env.JOBDECK_DOMAIN;
  // Only this run's values: a JOBDECK_PARAM_ inherited from Jobdeck's own environment would pass for one.
  for (const k of Object.keys(env)) if (k.startsWith('JOBDECK_PARAM_')) delete env[k];
  for (const [name, value] of Object.entries(ctx.params ?? {})) env[parameterEnvName(name)] = String(value);

  return new Promise<void>((resolve, reject) => {
    // detached: the command leads its own process group, so a cancel reaches its children too.
    const child = spawn(program, args, { cwd: entry.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let killSent = false;
    let lingerTimer: NodeJS.Timeout | undefined;

    const watch = (stream: Readable, fromStderr: boolean) => {
      const splitter = new LineSplitter(opts.maxLineChars, (line) => logLine(ctx, line, fromStderr));
      stream.on('data', (chunk: Buffer) => {
        splitter.write(chunk);
        // A flood outruns the log writer: stop reading until its backlog drains, so the pipe
        // (and then the command's own writes) block instead of Jobdeck's memory growing.
        const drained = aborted ? undefined : ctx.pressure?.();
        if (drained) {
          stream.pause();
          void drained.then(() => stream.resume());
        }
      });
      // 'close' without 'end': the pipe was destroyed (see PIPE_LINGER_MS).
      stream.on('end', () => splitter.end());
      stream.on('close', () => splitter.end());
    };
    watch(child.stdout, false);
    watch(child.stderr, true);

    // An aborted run ends once no process of the group runs and its output is read (settle).
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let closed = false;
    let groupGone = false;
    let settleTimer: NodeJS.Timeout | undefined;
    let pollMs = GROUP_POLL_FIRST_MS;

    const destroyPipes = () => {
      child.stdout.destroy();
      child.stderr.destroy();
    };

    const onAbort = () => {
      if (pid === undefined || aborted) return;
      aborted = true;
      // A paused pipe never ends, and 'close' waits for both pipes: read on, pressure or not.
      child.stdout.resume();
      child.stderr.resume();
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        killSent = true;
        signalGroup(pid, 'SIGKILL');
        if (exit) settle();
      }, opts.killGraceMs);
      // The leader may have exited before the cancel, its children still running.
      if (exit) settle();
    };

    /**
     * Once the leader has exited: waits (polling) until no process of the group runs or SIGKILL
     * went out, then for the pipes; a child that ignores SIGTERM holds the run until the SIGKILL.
     * Running, not merely existing: zombies waiting for init to reap them kept a cancel waiting for
     * the whole grace (see groupRunning).
     */
    const settle = () => {
      if (groupGone || settleTimer) return;
      if (!killSent && groupRunning(pid!)) {
        settleTimer = setTimeout(() => {
          settleTimer = undefined;
          settle();
        }, pollMs);
        pollMs = Math.min(pollMs * 2, GROUP_POLL_MAX_MS);
        return;
      }
      groupGone = true;
      if (closed) return outcome();
      // A descendant that left the group (setsid) may hold the pipes forever: read what is there, then let go.
      lingerTimer = setTimeout(destroyPipes, PIPE_LINGER_MS);
    };

    let settled = false;
    const outcome = () => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      clearTimeout(lingerTimer);
      clearTimeout(settleTimer);
      const { code, signal } = exit!;
      if (aborted) {
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        return finish(new Error(`stopped (${abortReason(ctx.signal)}): ${how}`));
      }
      if (signal) return finish(new Error(`killed by ${signal}`));
      if (code !== 0) return finish(new Error(`exited with code ${code}`));
      finish();
    };

    const finish = (err?: Error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };

    child.on('error', (err) => {
      // Only spawn failures land here before 'close' (ENOENT, EACCES, bad cwd).
      if (pid === undefined) finish(new Error(`cannot start ${JSON.stringify(program)}: ${err.message}`));
    });

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (aborted) settle();
    });

    // 'close' comes after 'exit' and after both pipes ended, so every line read has been logged.
    child.on('close', (code, signal) => {
      if (pid === undefined) return;
      exit ??= { code, signal };
      closed = true;
      if (!aborted || groupGone) outcome();
    });

    if (pid !== undefined) ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A job definition that runs one JOBS_FILE entry. */
export function commandJob(entry: CommandJobEntry, opts: CommandJobOptions): JobDefinition {
  return {
    id: entry.id,
    description: entry.description,
    kind: entry.kind,
    automatic: entry.automatic,
    locks: entry.locks,
    timeoutSeconds: entry.timeoutSeconds ?? 3600,
    parameters: entry.parameters,
    retry: entry.retry,
    run: (ctx) => runCommand(entry, opts, ctx),
  };
}
