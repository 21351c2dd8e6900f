// Object contents from one `git cat-file --batch` per repository for the life of the process: a
// drain asks twice (the snapshots' authors, then the notes it adds to), `run --watch` on every
// checkpoint, and each git child costs its Node parent a fork (docs/design.md, "Fewer git processes
// per backup"). Requests are answered in the order they were written, so each call writes all its
// names at once and takes the next answers. The process never keeps this one alive: its handles are
// referenced only while an answer is awaited, and it ends when our end of its stdin closes. A
// restore reads its files' blobs one at a time through it (readBlob): one blob in memory at once.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitSpawn, holdOpen, keptChild, type RepoPaths } from './exec.js';
import { BackupError, ExitCode } from '../errors.js';

/** An object `cat-file --batch` gave back: its type and its bytes. */
export interface ObjectContent {
  type: string;
  body: Buffer;
}

interface Waiting {
  resolve: (o: ObjectContent | null) => void;
  reject: (e: Error) => void;
}

class BatchReader {
  private readonly child: ChildProcessWithoutNullStreams;
  /** Callers awaiting an answer, in request order; those before `next` have theirs (no shift(): O(n) each, a first drain asks 300,000). */
  private waiting: Waiting[] = [];
  private next = 0;
  /** Bytes of a header line received so far. */
  private header: Buffer = Buffer.alloc(0);
  /** The object being received, allocated at its full size once the header names it. */
  private body: { type: string; content: Buffer; filled: number } | null = null;
  private stderr = '';
  dead: Error | null = null;

  constructor(cwd: string) {
    this.child = gitSpawn(['cat-file', '--batch'], { cwd });
    this.hold(false);
    this.child.stdout.on('data', (d: Buffer) => this.receive(d));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('error', (e) => this.fail(new Error(`cannot run git cat-file: ${e.message}`)));
    this.child.on('close', () => this.fail(new Error(`git cat-file ended: ${this.stderr.trim().split('\n')[0] || 'no answer'}`)));
    this.child.stdin.on('error', () => undefined); // reported through 'close'
  }

  read(names: readonly string[]): Promise<(ObjectContent | null)[]> {
    if (this.dead) return Promise.reject(this.dead);
    const answers = names.map((): Promise<ObjectContent | null> => new Promise((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.hold(true); // an answer is awaited: this process stays alive for it, or for the news that none will come
    this.child.stdin.write(names.join('\n') + '\n');
    return Promise.all(answers);
  }

  private answer(o: ObjectContent | null): void {
    const w = this.waiting[this.next++];
    if (this.next >= this.waiting.length) {
      this.waiting = [];
      this.next = 0;
      this.hold(false);
    }
    w?.resolve(o);
  }

  private hold(on: boolean): void {
    holdOpen(this.child, on);
  }

  /** No answer awaited: it can be let go. */
  get idle(): boolean {
    return this.next >= this.waiting.length;
  }

  /** Let git go (it ends at the end of its input); a later read gets a new reader. */
  close(): void {
    this.fail(new Error('closed'));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    const left = this.waiting.slice(this.next);
    this.waiting = [];
    this.next = 0;
    for (const w of left) w.reject(this.dead);
    this.hold(false);
    this.child.stdin.destroy();
  }

  private receive(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (!this.body) {
        const nl = rest.indexOf(10);
        if (nl < 0) {
          this.header = Buffer.concat([this.header, rest]);
          return;
        }
        const line = Buffer.concat([this.header, rest.subarray(0, nl)]).toString('utf8');
        this.header = Buffer.alloc(0);
        rest = rest.subarray(nl + 1);
        // "<name> missing" / "<name> ambiguous": no content follows.
        const m = /^\S+ (\S+) (\d+)$/.exec(line);
        if (!m) this.answer(null);
        else this.body = { type: m[1]!, content: Buffer.allocUnsafe(Number(m[2])), filled: 0 };
        continue;
      }
      const b = this.body;
      if (b.filled < b.content.length) {
        const n = rest.copy(b.content, b.filled, 0, Math.min(rest.length, b.content.length - b.filled));
        b.filled += n;
        rest = rest.subarray(n);
        continue;
      }
      rest = rest.subarray(1); // the LF after the content
      this.body = null;
      this.answer({ type: b.type, body: b.content });
    }
  }
}

const readers = new Map<string, BatchReader>();
const MAX_READERS = 4; // keptChild: a few per process, not one per repository

/**
 * The content of each name (an id, or `<rev>:<path>`), in input order; null for one git reports
 * missing or ambiguous. Bytes, not text: the sizes git reports are byte counts, and content that is
 * not valid UTF-8 must not shift everything after it.
 */
export async function readObjects(repo: RepoPaths, names: readonly string[]): Promise<(ObjectContent | null)[]> {
  if (names.length === 0) return [];
  return keptChild(readers, repo.worktree, MAX_READERS, () => new BatchReader(repo.worktree)).read(names);
}

/** The bytes of blob `sha`, exactly as stored (no filters); a missing one is a damaged store. */
export async function readBlob(repo: RepoPaths, sha: string): Promise<Buffer> {
  const [o] = await readObjects(repo, [sha]);
  if (!o || o.type !== 'blob') throw new BackupError(ExitCode.STORE_DAMAGED, `object ${sha} is ${o ? `a ${o.type}, not a file's content` : 'missing from the repository'}`);
  return o.body;
}
