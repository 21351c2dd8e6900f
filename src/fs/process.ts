// Processes by pid: whether one is still there, for the files that name their writer by pid
// (drain.pid, an undo's intent), and stopping one with everything it started. Nothing here knows
// about backups.
import { readFileSync, readdirSync } from 'node:fs';

/**
 * True while `pid` runs (EPERM: it exists but is not ours). A zombie (killed, not yet reaped: for
 * good under a PID 1 that never reaps, as in a container without an init) answers kill(0) but
 * runs no more: dead, by its state in /proc (Linux; elsewhere kill(0) alone decides).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The state field of /proc/<pid>/stat is Z (or X, dead): after the command name, which ends at the last ")". */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** Every process `pid` started, and what they started, from /proc (Linux); none where /proc is not. */
function descendantsOf(pid: number, seen = new Set<number>()): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const t of tasks) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const c of children.split(' ').filter(Boolean).map(Number)) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c, ...descendantsOf(c, seen));
    }
  }
  return out;
}

/**
 * Stop `pid` and what it started (a git push's transport helper, ssh, a local receive-pack): those
 * would otherwise live on, reparented, holding connections, and even finish the work after we
 * reported it failed. They are listed before `pid` is signalled, while they are still its children.
 */
export function stopProcessTree(pid: number): void {
  for (const d of descendantsOf(pid)) {
    try {
      process.kill(d, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
