// Store files opened as regular files only, and read whole in as few reads as their size allows.
// Non-blocking: a FIFO put in a store file's place is never waited on (a blocking open waits for
// the other end: every command, and through the hook `git commit`, hung). fs/promises' readFile
// reads 512 KiB at a time, one trip through libuv's thread pool each: 300 trips for a 150 MB
// db.json, a quarter of `list --json` at 100,000 live backups spent waiting (BENCHMARKS.md, "Scale").
import { constants as fsc, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * `file` opened with `flags` (O_NONBLOCK added) and its stat, when it is a regular file. Errors as
 * open gives them (ENOENT, EACCES, EISDIR for a directory opened to write); one that is not a
 * regular file is closed and refused: EISDIR for a directory, EINVAL for anything else.
 */
export async function openRegular(file: string, flags: number = fsc.O_RDONLY, mode?: number): Promise<{ fh: FileHandle; st: Stats }> {
  const fh = await open(file, flags | fsc.O_NONBLOCK, mode);
  let st: Stats;
  try {
    st = await fh.stat();
  } catch (e) {
    await fh.close();
    throw e;
  }
  if (st.isFile()) return { fh, st };
  await fh.close();
  throw Object.assign(new Error(`${file} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' });
}

/** The bytes of a regular file (one that shrinks while read gives what it had); errors as openRegular's. */
export async function readWhole(file: string): Promise<Buffer> {
  const { fh, st } = await openRegular(file);
  try {
    const buf = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < st.size) {
      const { bytesRead } = await fh.read(buf, done, st.size - done, done);
      if (bytesRead === 0) return buf.subarray(0, done);
      done += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** Whether two paths name the same file or directory (device and inode); false when either is not there. */
export function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
