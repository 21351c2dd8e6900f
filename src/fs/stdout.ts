// Standard output written with write(2) on fd 1, without Node's process.stdout: creating that
// stream loads the stream modules, ~3 ms of every command that prints (BENCHMARKS.md, start-up).
// A descriptor that is not blocking (once process.stdout exists, Node makes a pipe so; or the
// process that gave it to us did) is handed to the stream at the first EAGAIN, which waits for the
// reader in the event loop instead of spinning. Either way the bytes go out in the order written.
import { writeSync, writevSync } from 'node:fs';
import { BackupError, ExitCode } from '../errors.js';

let readerGone = false;
let viaStream = false;

/** Whether the reader of stdout has left (`git backup log | head`): a command that only prints can stop. */
export function stdoutGone(): boolean {
  return readerGone;
}

/**
 * Write text to stdout. `git backup list | head`: once the reader has left (EPIPE), like git, say
 * nothing and drop the rest; the command's own work is finished all the same.
 */
export function writeStdout(text: string | Buffer): void {
  if (readerGone) return;
  if (viaStream) {
    process.stdout.write(text);
    return;
  }
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (e) {
      if (failed(e) === 'gone') return;
      viaStream = true;
      ignoreClosedStdout();
      process.stdout.write(bytes.subarray(done));
      return;
    }
  }
}

/**
 * Pieces of one output written with one writev(2), not joined first (`list --json` copies records'
 * bytes: joining 70 MB was a tenth of its time). What the call did not take goes the writeStdout way.
 */
export function writeStdoutPieces(pieces: readonly Buffer[]): void {
  if (readerGone || pieces.length === 0) return;
  let done = 0;
  if (!viaStream) {
    try {
      done = writevSync(1, pieces as Buffer[]);
    } catch (e) {
      if (failed(e) === 'gone') return;
    }
  }
  const total = pieces.reduce((n, p) => n + p.length, 0);
  if (done < total) writeStdout(Buffer.concat(pieces as Buffer[], total).subarray(done));
}

/**
 * A write to fd 1 that threw: the reader left (EPIPE: say nothing more), or the descriptor is not
 * blocking (EAGAIN: the caller hands the rest to the stream); anything else is the command's error.
 */
function failed(e: unknown): 'gone' | 'again' {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EPIPE') {
    readerGone = true;
    return 'gone';
  }
  // Not a disk the user must free (cli-errors.ts says that of ENOSPC): the output's own device.
  if (code !== 'EAGAIN') throw new BackupError(ExitCode.UNEXPECTED, `cannot write to standard output (${code === 'ENOSPC' ? 'the device is full' : (code ?? String(e))})`);
  return 'again';
}

/**
 * For what goes through process.stdout (the rest of a write above, yargs' help): a reader that
 * leaves early ends the output silently, as above.
 */
export function ignoreClosedStdout(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    readerGone = true;
  });
}
