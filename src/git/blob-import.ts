// Blobs streamed into the object database through one `git fast-import`: a blob's size is known
// before its content (a tar header gives it), which is all fast-import's `data <n>` needs, so
// content goes through in chunks and nothing holds a whole file. One process for any number of
// blobs: thousands of small files cost one spawn, not one each (as `hash-object --stdin` would).
import { once } from 'node:events';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, gitSpawn, type RepoPaths } from './exec.js';

/** Small writes (headers, small files) are gathered into one pipe write of up to this many bytes. */
const BATCH = 64 * 1024;

// core.bigFileThreshold: above it fast-import streams a blob into its pack instead of loading it
// whole to look for deltas, and the `unpack-objects` it runs to loosen a small import streams too
// (git ≥ 2.38). These objects are unreachable and short-lived: deltas would buy nothing.
const ARGS = ['-c', 'core.bigFileThreshold=1m', 'fast-import', '--quiet'];

export class BlobImport {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number>;
  private stderr = '';
  private batch = Buffer.allocUnsafe(BATCH);
  private fill = 0;
  /** Content bytes the open blob still owes fast-import (it dies on a short blob). */
  private owed = 0;
  private open = false;

  constructor(repo: RepoPaths) {
    this.child = gitSpawn(ARGS, { cwd: repo.worktree });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.stdin.on('error', () => undefined); // an early exit is reported by its exit code
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.stderr += `cannot run git: ${e.message}`;
        resolve(-1);
      });
      this.child.on('close', (code) => resolve(code ?? -1));
    });
  }

  async begin(size: number): Promise<void> {
    this.open = true;
    this.owed = size;
    await this.write(Buffer.from(`blob\ndata ${size}\n`));
  }

  async data(chunk: Buffer): Promise<void> {
    this.owed -= chunk.length;
    await this.write(chunk);
  }

  async end(): Promise<void> {
    await this.write(Buffer.from('\n'));
    this.open = false;
  }

  /** Every blob written: let fast-import finish its pack. Throws GitError when it failed. */
  async close(): Promise<void> {
    await this.flush();
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new GitError(['fast-import'], code, this.stderr);
  }

  /**
   * Give up. Between blobs fast-import is ended normally (what it stored is unreachable, for gc);
   * in the middle of one it is killed instead, as ending its input there would make it write a
   * crash report into the repository. Its temporary pack is then left for `git prune`.
   */
  async abort(): Promise<void> {
    if (this.open && this.owed !== 0) this.child.kill('SIGKILL');
    else {
      if (this.open) await this.write(Buffer.from('\n')).catch(() => undefined);
      await this.flush().catch(() => undefined);
      this.child.stdin.end();
    }
    await this.exited;
  }

  private async write(buf: Buffer): Promise<void> {
    if (this.fill + buf.length <= BATCH) {
      buf.copy(this.batch, this.fill);
      this.fill += buf.length;
      return;
    }
    await this.flush();
    if (buf.length < BATCH / 2) {
      buf.copy(this.batch, 0);
      this.fill = buf.length;
    } else await this.send(buf);
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const out = this.batch.subarray(0, this.fill);
    // The stream may hold `out` until it is written: the next batch goes into a new buffer.
    this.batch = Buffer.allocUnsafe(BATCH);
    this.fill = 0;
    await this.send(out);
  }

  /** One pipe write, waiting while the pipe is full (fast-import behind) or until fast-import exits. */
  private async send(buf: Buffer): Promise<void> {
    if (this.child.stdin.write(buf)) return;
    const drained = once(this.child.stdin, 'drain').then(() => true, () => false);
    if (await Promise.race([drained, this.exited.then(() => false)])) return;
    const code = await this.exited;
    throw new GitError(['fast-import'], code, this.stderr || 'fast-import exited before reading all its input');
  }
}
