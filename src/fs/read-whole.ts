// A file read whole in as few reads as its size allows. fs/promises' readFile reads 512 KiB at a
// time, one trip through libuv's thread pool each: 300 trips for a 150 MB db.json, a quarter of
// `list --json` at 100,000 live backups spent waiting (BENCHMARKS.md, "Scale").
import { constants as fsc } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The bytes of a regular file (one that shrinks while read gives what it had). Errors as readFile
 * gives them (ENOENT, EACCES, EISDIR for a directory); anything else that is not a regular file (a
 * FIFO put in its place) is refused with EINVAL instead of waiting for a writer.
 */
export async function readWhole(file: string): Promise<Buffer> {
  const fh = await open(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' });
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
