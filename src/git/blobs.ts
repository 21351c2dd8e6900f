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
  private chunks: Buffer[] = [];
  private length = 0;
  private pending: Pending | null = null;
  /** Header of the response being received: content size and where content starts. */
  private header: { size: number; start: number } | null = null;
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
    this.child.stdout.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.length += d.length;
      this.parse();
    });
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

  private parse(): void {
    if (!this.pending) return;
    // Joining chunks only once the whole blob is in keeps large blobs linear, not quadratic.
    if (this.header && this.length < this.header.start + this.header.size + 1) return;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [buf];
    if (!this.header) {
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      const line = buf.subarray(0, nl).toString();
      const m = /^(\S+) (\S+) (\d+)$/.exec(line);
      if (!m) {
        this.fail(new BackupError(ExitCode.STORE_DAMAGED, `object ${this.pending.what} is missing from the repository`));
        return;
      }
      this.header = { size: Number(m[3]), start: nl + 1 };
    }
    const end = this.header.start + this.header.size;
    if (buf.length < end + 1) return; // content plus its terminating LF
    const content = Buffer.from(buf.subarray(this.header.start, end));
    buf = buf.subarray(end + 1);
    this.chunks = buf.length ? [buf] : [];
    this.length = buf.length;
    this.header = null;
    const p = this.pending;
    this.pending = null;
    p.resolve(content);
  }
}
