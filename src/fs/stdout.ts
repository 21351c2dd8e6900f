// Standard output written with write(2) on fd 1, without Node's process.stdout: creating that
// stream loads the stream modules, ~3 ms of every command that prints (BENCHMARKS.md, start-up).
// Writes are synchronous, as process.stdout's are for files, pipes and terminals on Linux, so what
// is printed this way and what yargs prints through process.stdout stay in order.
import { writeSync } from 'node:fs';

let readerGone = false;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Write text to stdout. `git backup list | head`: once the reader has left (EPIPE), like git, say
 * nothing and drop the rest; the command's own work is finished all the same. A descriptor another
 * process left non-blocking (EAGAIN) is waited for, a millisecond at a time.
 */
export function writeStdout(text: string): void {
  if (readerGone) return;
  const bytes = Buffer.from(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        readerGone = true;
        return;
      }
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
