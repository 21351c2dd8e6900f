// Blob contents from one long-lived `git cat-file --batch` process, one request at a time, so a
// restore of thousands of files costs one process and holds at most one blob in memory.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { BackupError, ExitCode } from '../errors.js';
import { gitSpawn, type RepoPaths } from './exec.js';

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  what: string;
}

export class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Pending | null = null;
  /** Bytes of the response header received so far (it is one short line). */
  private headerBytes: Buffer = Buffer.alloc(0);
  /** The blob being received: allocated once at its full size when the header names it. */
  private body: { content: Buffer; filled: number } | null = null;
  private failed: Error | null = null;
  private stderr = '';
  private readonly filters: boolean;

  /**
   * filters is kept for a git that converts in batch mode: git 2.39 accepts `--filters` with
   * "<sha> <path>" requests but applies no conversion (the blob's mode is unknown), so callers pass
   * false and get the content exactly as stored.
   */
  constructor(repo: RepoPaths, filters: boolean) {
    this.filters = filters;
    const args = ['cat-file', '--batch', '-z', ...(filters ? ['--filters'] : [])];
    this.child = gitSpawn(args, { cwd: repo.worktree });
    this.child.stdout.on('data', (d: Buffer) => this.receive(d));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('error', (e) => this.fail(new BackupError(ExitCode.UNEXPECTED, `cannot run git cat-file: ${e.message}`)));
    this.child.on('close', () => this.fail(new BackupError(ExitCode.UNEXPECTED, `git cat-file ended early: ${this.stderr.trim().split('\n')[0] ?? ''}`)));
    this.child.stdin.on('error', () => undefined); // reported through 'close'
  }

  /** Content of blob sha; path selects the filters (ignored without filters). */
  read(sha: string, path: string): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error('BlobReader: one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, what: sha };
      this.child.stdin.write(this.filters ? `${sha} ${path}\0` : `${sha}\0`);
    });
  }

  close(): void {
    this.pending = null;
    this.failed = new Error('closed');
    this.child.stdin.end();
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failed);
  }

  /**
   * Each chunk is copied once, straight into the blob's buffer: a large blob costs its own size in
   * memory, not the several copies that gathering chunks and joining them would make.
   */
  private receive(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0 && this.pending) {
      if (!this.body) {
        this.headerBytes = this.headerBytes.length ? Buffer.concat([this.headerBytes, rest]) : rest;
        const nl = this.headerBytes.indexOf(10);
        if (nl < 0) return;
        const m = /^(\S+) (\S+) (\d+)$/.exec(this.headerBytes.subarray(0, nl).toString());
        rest = this.headerBytes.subarray(nl + 1);
        this.headerBytes = Buffer.alloc(0);
        if (!m) {
          this.fail(new BackupError(ExitCode.STORE_DAMAGED, `object ${this.pending.what} is missing from the repository`));
          return;
        }
        this.body = { content: Buffer.allocUnsafe(Number(m[3])), filled: 0 };
        continue;
      }
      const { content, filled } = this.body;
      if (filled < content.length) {
        const n = rest.copy(content, filled, 0, Math.min(rest.length, content.length - filled));
        this.body.filled += n;
        rest = rest.subarray(n);
        continue;
      }
      rest = rest.subarray(1); // the LF that ends each response
      this.body = null;
      const p = this.pending;
      this.pending = null;
      p.resolve(content);
    }
  }
}
