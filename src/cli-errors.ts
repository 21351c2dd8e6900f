// How a failed command ends: one line on stderr and the exit code of design.md §Exit codes, for
// both ways a command runs (the fast path's bundle, src/cli-fast-run.ts, and yargs, src/cli.ts).
import { BackupError, ExitCode, PassThroughExit } from './core/errors.js';
import { statfsSync } from 'node:fs';

/**
 * git says only "couldn't write '….lock'" when a ref update meets a full disk (no errno): such a
 * failure on a disk with almost nothing left is the full disk, not a ref "already locked".
 */
function gitWriteFailedOnFullDisk(text: string): boolean {
  if (!/couldn't write|unable to write|failed to write|cannot update ref/i.test(text)) return false;
  try {
    const fs = statfsSync(process.cwd());
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

export function reportError(e: unknown): number {
  if (e instanceof PassThroughExit) return e.status;
  if (process.env.GIT_BACKUP_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  const text = e instanceof Error ? e.message : String(e);
  if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /ENOSPC|No space left on device|Out of diskspace/i.test(text) || gitWriteFailedOnFullDisk(text)) {
    // A full disk is not our bug: one line that says what to do (git's own words after it).
    const where = (e as NodeJS.ErrnoException)?.path ? ` (writing ${(e as NodeJS.ErrnoException).path})` : '';
    process.stderr.write(`git backup: no space left on device${where}: free some space and retry; git backup recover finishes anything left half-done [${text.split('\n')[0]}]\n`);
    return ExitCode.UNEXPECTED;
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EROFS' || code === 'EACCES') {
    // A read-only store or working tree is not our bug either.
    const where = (e as NodeJS.ErrnoException).path ?? 'a file';
    process.stderr.write(`git backup: cannot write ${where}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}; make it writable and retry (commands that only read still work)\n`);
    return ExitCode.UNEXPECTED;
  }
  if (e instanceof BackupError) {
    process.stderr.write(`git backup: ${e.message.split('\n')[0]}\n`);
    return e.exitCode;
  }
  process.stderr.write(`git backup: unexpected error: ${text.split('\n')[0]} (GIT_BACKUP_DEBUG=1 shows details)\n`);
  return ExitCode.UNEXPECTED;
}
