// Whether a process is still there, for the files that name their writer by pid (drain.pid, an
// undo's intent): signal 0 tests without sending anything. Nothing here knows about backups.

/** True while `pid` exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
