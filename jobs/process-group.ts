import { readdirSync, readFileSync } from 'node:fs';

/** Sends `signal` to every process of the group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** What kill(2) can reach: zombies included. */
function reachable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    // EPERM: something with that group id exists but is not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The states (R, S, D, Z, …) of the group's processes, from /proc; null where there is no /proc.
 * Reads every /proc/<pid>/stat: called only while a cancelled or timed-out command winds down.
 */
function memberStates(pgid: number): string[] | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc');
  } catch {
    return null;
  }
  const states: string[] = [];
  for (const pid of pids) {
    if (pid.charCodeAt(0) < 48 || pid.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) states.push(f[0]!);
  }
  return states;
}

/**
 * Whether a process of the group still runs. kill(-pgid, 0) alone also finds zombies: a child
 * whose parent died is re-parented to init and stays a zombie until init reaps it, which some
 * inits (containers, VMs) do only every second or two. Counting those as alive made a cancelled
 * `bash -c 'echo start; (sleep 60 | cat)'` wait for the whole kill grace (issue #13).
 */
export function groupRunning(pgid: number): boolean {
  if (!reachable(pgid)) return false;
  const states = memberStates(pgid);
  // No /proc: only kill(2)'s answer is known.
  if (states === null) return true;
  return states.some((s) => s !== 'Z' && s !== 'X');
}
