// A file read whole in as few reads as its size allows. fs/promises' readFile reads 512 KiB at a
// time, one trip through libuv's thread pool each: 300 trips for a 150 MB db.json, a quarter of
// `list --json` at 100,000 live backups spent waiting (BENCHMARKS.md, "Scale").
import { open } from 'node:fs/promises';

/** The file's bytes (a file that shrinks while read gives what it had); errors as readFile gives them (ENOENT, EISDIR). */
export async function readWhole(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(buf, done, size - done, done);
      if (bytesRead === 0) return buf.subarray(0, done);
      done += bytesRead;
    }
    // A directory has a size but no bytes to read: read once more so it fails as readFile does.
    if (size === 0) await fh.read(Buffer.alloc(1), 0, 1, 0);
    return buf;
  } finally {
    await fh.close();
  }
}
