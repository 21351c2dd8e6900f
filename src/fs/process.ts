// Processes by pid: whether one is still there, for the files that name their writer by pid
// (drain.pid, an undo's intent), and stopping one with everything it started. Nothing here knows
// about backups.
import { readFileSync, readdirSync } from 'node:fs';

/** True while `pid` exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
