// The git half of the backup remote (docs/remote.md): list what a remote holds under our refs,
// push and fetch explicit refspecs, make the commit that carries an archive as git objects, and
// write an archive back out of such a commit. app/remote.ts decides what to send and records it.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeCrypto } from '../builtins.js';
import { git, gitSpawn, GitError, type RepoPaths } from './exec.js';

export const BACKUP_REFS = 'refs/backups/';
export const ARCHIVE_REFS = 'refs/backup-archives/';

/** Refspecs per git push or fetch: keeps the command line far below any system limit. */
const BATCH = 400;

/** What the remote has under refs/backups/ and refs/backup-archives/: ref → oid. Throws GitError when it cannot be reached. */
export async function lsRemote(repo: RepoPaths, remote: string, timeoutMs?: number): Promise<Map<string, string>> {
  const r = await git(['ls-remote', '--refs', remote, `${BACKUP_REFS}*`, `${ARCHIVE_REFS}*`], { cwd: repo.worktree, timeoutMs });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [oid, ref] = line.split('\t');
    if (oid && ref && (ref.startsWith(BACKUP_REFS) || ref.startsWith(ARCHIVE_REFS))) out.set(ref, oid);
  }
  return out;
}

/** The oid a local ref points at, or null. */
export async function refOid(repo: RepoPaths, ref: string): Promise<string | null> {
  const r = await git(['rev-parse', '-q', '--verify', ref], { cwd: repo.worktree, okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * How many notes on `notesRef` hold an absolute worktree path (`"worktree":"/…`), as versions before
 * issue 11 wrote them: one `git grep` over the notes tree. Lines are only ever appended, so the
 * current tree holds every such line its history does.
 */
export async function notesWithAbsolutePaths(repo: RepoPaths, notesRef: string): Promise<number> {
  const r = await git(['grep', '-c', '-F', '-e', '"worktree":"/', notesRef, '--'], { cwd: repo.worktree, okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
}

/** Remove a local ref if it is there: the ref itself, never a branch it was made a symbolic ref to by hand. */
export async function dropRef(repo: RepoPaths, ref: string): Promise<void> {
  await git(['update-ref', '--no-deref', '-d', ref], { cwd: repo.worktree });
}

/** Push `src:dst` refspecs (no force: a backup ref never changes), in batches. Throws GitError. */
export async function pushRefspecs(repo: RepoPaths, remote: string, specs: readonly string[], timeoutMs?: number): Promise<void> {
  for (let i = 0; i < specs.length; i += BATCH) {
    await git(['push', '--quiet', '--no-verify', remote, ...specs.slice(i, i + BATCH)], { cwd: repo.worktree, timeoutMs });
  }
}

/** Fetch `src:dst` refspecs, in batches. Throws GitError. */
export async function fetchRefspecs(repo: RepoPaths, remote: string, specs: readonly string[], timeoutMs?: number): Promise<void> {
  for (let i = 0; i < specs.length; i += BATCH) {
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, ...specs.slice(i, i + BATCH)], { cwd: repo.worktree, timeoutMs });
  }
}

/**
 * A commit whose tree holds an archive and its manifest as blobs (`<id>.tar.gz`, `<id>.manifest.json`),
 * dated `at` by a fixed identity, so the same archive always makes the same commit: whether the remote
 * already holds it is a comparison of two oids.
 */
export async function archiveCommit(repo: RepoPaths, id: string, files: { archive: string; manifest: string }, at: string): Promise<string> {
  const cwd = repo.worktree;
  const [a, m] = (await git(['hash-object', '-w', '--no-filters', '--', files.archive, files.manifest], { cwd })).stdout.trim().split('\n');
  const tree = (await git(['mktree'], { cwd, input: `100644 blob ${m}\t${id}.manifest.json\n100644 blob ${a}\t${id}.tar.gz\n` })).stdout.trim();
  const date = `${Math.floor(Date.parse(at) / 1000)} +0000`;
  const env = {
    GIT_AUTHOR_NAME: 'git-backup', GIT_AUTHOR_EMAIL: 'git-backup@localhost', GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: 'git-backup', GIT_COMMITTER_EMAIL: 'git-backup@localhost', GIT_COMMITTER_DATE: date,
  };
  return (await git(['commit-tree', '--no-gpg-sign', tree, '-m', `git-backup archive ${id}`], { cwd, env })).stdout.trim();
}

/** Write blob `<commit>:<name>` to `dest` (through a temp file and a rename; directories 0700, file 0600). */
export async function writeBlobTo(repo: RepoPaths, commit: string, name: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  const tmp = `${dest}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`;
  try {
    await new Promise<void>((resolve, reject) => {
      const child = gitSpawn(['cat-file', 'blob', `${commit}:${name}`], { cwd: repo.worktree });
      const out = createWriteStream(tmp, { mode: 0o600 });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdout.pipe(out);
      let code: number | null = null;
      let closed = false;
      const done = () => {
        if (code === null || !closed) return;
        if (code === 0) resolve();
        else reject(new GitError(['cat-file'], code, stderr));
      };
      child.on('error', reject);
      child.on('close', (c) => {
        code = c ?? 1;
        done();
      });
      out.on('error', reject);
      out.on('close', () => {
        closed = true;
        done();
      });
    });
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
