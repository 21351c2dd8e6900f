// Git processes kept for the life of ours and asked one question at a time: the protected-content
// scan's `diff-tree --stdin` and `cat-file --batch-check`. A `run --watch` checkpoint asks both on
// every burst, and each git child costs its Node parent a fork that blocks it for 5–10 ms (more as
// its heap grows) besides git's own start (docs/design.md, "Fewer git processes per backup"); kept,
// a question costs a pipe round trip. A one-shot command starts each once, as it would have anyway.
// Like object-reader.ts, a kept process never keeps ours alive: its handles are referenced only
// while an answer is awaited, and it ends when our end of its stdin closes.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { nodeCrypto } from '../builtins.js';
import { GitError, gitSpawn, holdOpen, keptChild, type RepoPaths } from './exec.js';

/** Told each chunk of an answer as it arrives; says whether the answer is now whole. */
type AnswerEnd = (chunk: Buffer) => boolean;

class Resident {
  private readonly child: ChildProcessWithoutNullStreams;
  /** Questions go one at a time: each waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private current: { chunks: Buffer[]; end: AnswerEnd; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private stderr = '';
  dead: Error | null = null;

  constructor(args: string[], cwd: string) {
    this.child = gitSpawn(args, { cwd });
    this.hold(false);
    this.child.stdout.on('data', (d: Buffer) => this.receive(d));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('error', (e) => this.fail(new Error(`cannot run git ${args[0]}: ${e.message}`)));
    this.child.on('close', (code) => this.fail(new GitError(args, code ?? 1, this.stderr || 'ended before answering')));
    this.child.stdin.on('error', () => undefined); // reported through 'close'
  }

  /** Write `input` and collect git's answer until `end` says it is whole. */
  ask(input: string, end: AnswerEnd): Promise<Buffer> {
    const answer = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.dead) return reject(this.dead);
          this.current = { chunks: [], end, resolve, reject };
          this.hold(true);
          this.child.stdin.write(input);
        }),
    );
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  private receive(chunk: Buffer): void {
    const q = this.current;
    if (!q) return;
    q.chunks.push(chunk);
    if (!q.end(chunk)) return;
    this.current = null;
    this.hold(false);
    q.resolve(Buffer.concat(q.chunks));
  }

  private hold(on: boolean): void {
    holdOpen(this.child, on);
  }

  get idle(): boolean {
    return this.current === null;
  }

  close(): void {
    this.fail(new Error('closed'));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    const q = this.current;
    this.current = null;
    q?.reject(this.dead);
    this.hold(false);
    this.child.stdin.destroy();
  }
}

const kept = new Map<string, Resident>();
/** A process that works in many repositories (tests) keeps a few of each kind, not one per repository. */
const MAX_KEPT = 8;

function resident(repo: RepoPaths, args: string[]): Resident {
  return keptChild(kept, `${args.join(' ')}\0${repo.worktree}`, MAX_KEPT, () => new Resident(args, repo.worktree));
}

/**
 * `git diff-tree -r -t -z --no-renames --stdin` of these tree pairs ("<tree> <tree>" lines): its
 * output, as one run of the command would give it. diff-tree echoes a line that names no object and
 * flushes: a line only this call could write marks the end of the answer.
 */
export async function diffTreePairs(repo: RepoPaths, pairs: readonly string[]): Promise<string> {
  const marker = `git-backup-end-${nodeCrypto().randomBytes(8).toString('hex')}\n`;
  const tail = Buffer.from(marker);
  let last = Buffer.alloc(0);
  const out = await resident(repo, ['diff-tree', '-r', '-t', '-z', '--no-renames', '--stdin']).ask(pairs.join('\n') + '\n' + marker, (chunk) => {
    // The marker may arrive split across chunks: the end of what came so far is checked.
    last = Buffer.concat([last, chunk]).subarray(-tail.length);
    return last.equals(tail);
  });
  return out.subarray(0, out.length - tail.length).toString('utf8');
}

/**
 * Sizes git gave this process: an id names its content, so its size never changes. A session's
 * uncommitted work grows turn by turn (every file an agent edited stays protected), and each of its
 * checkpoints asks for all of them: after a hundred turns, 270 lookups (13 ms) where 4 are new.
 */
const knownSizes = new Map<string, number>(); // by repository and id: a blob missing in one is not another's
const MAX_KNOWN_SIZES = 200_000;

/** The size of each object named (by id); a missing one is left out. */
export async function objectSizes(repo: RepoPaths, ids: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const unknown = ids.filter((id) => {
    const known = knownSizes.get(`${repo.commonDir}\0${id}`);
    if (known !== undefined) sizes.set(id, known);
    return known === undefined;
  });
  if (unknown.length === 0) return sizes;
  let lines = 0;
  const out = await resident(repo, ['cat-file', '--batch-check=%(objectname) %(objectsize)']).ask(unknown.join('\n') + '\n', (chunk) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
    return lines >= unknown.length;
  });
  if (knownSizes.size + unknown.length > MAX_KNOWN_SIZES) knownSizes.clear();
  for (const line of out.toString('utf8').split('\n')) {
    const [id, size] = line.split(' ');
    if (!id || !size || !/^\d+$/.test(size)) continue;
    sizes.set(id, Number(size));
    knownSizes.set(`${repo.commonDir}\0${id}`, Number(size));
  }
  return sizes;
}

/**
 * One `git update-ref --stdin` transaction of these instructions ("create <ref> <id>", "update <ref>
 * <new> <old>"): all of them or none. Its answer, as git's exit would say it: code 0, or git's
 * failure (a ref moved or locked: git says so and ends; the next transaction starts another).
 */
export async function refTransaction(repo: RepoPaths, instructions: readonly string[], message: string): Promise<{ code: number; stderr: string }> {
  let seen = '';
  try {
    await resident(repo, ['update-ref', '-m', message, '--stdin']).ask(['start', ...instructions, 'prepare', 'commit', ''].join('\n'), (chunk) => {
      seen = (seen + chunk.toString('latin1')).slice(-64);
      return seen.endsWith('commit: ok\n');
    });
    return { code: 0, stderr: '' };
  } catch (e) {
    if (e instanceof GitError) return { code: e.code, stderr: e.stderr };
    throw e;
  }
}
