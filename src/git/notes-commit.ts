// A new backup's note and its ref in one `git update-ref --stdin` transaction, the notes commit
// made by this process (issue 10: `git update-ref` then `git notes add` were two of a checkpoint's
// git processes, each a fork of ours; the transaction goes to an `update-ref --stdin` kept for the
// next one, resident.ts). Where core/own-commits.ts says this process may write objects:
// the note's blob, the trees on its path and the notes commit on the tip as read go in as loose
// objects (loose-object.ts); the transaction then creates the backup's ref and moves the notes ref
// from that tip, both or neither. So the note write is also a compare-and-swap, which `git notes add`
// is not: a notes ref moved meanwhile (an amend copying notes) fails it, and the caller goes the
// general way (notes-write.ts), as it does whenever this way does not apply.
import type { RepoPaths } from './exec.js';
import { refTransaction } from './resident.js';
import { readLooseObject, writeLooseObject } from './loose-object.js';
import { readObjects } from './object-reader.js';
import { waitingOutLock } from './ref-lock.js';
import { keptAsIs } from '../core/own-commits.js';
import { NOTES_REF } from './notes.js';
import { pauseAt } from '../test-pause.js';

/** One entry of a tree object: its mode as git writes it, its name's bytes (as latin1), its id. */
export interface TreeItem {
  mode: string;
  name: string;
  id: string;
}

const ID_BYTES = 20; // SHA-1: own-commits.ts allows no other

export function parseTreeBody(body: Buffer, idBytes = ID_BYTES): TreeItem[] {
  const items: TreeItem[] = [];
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > body.length) throw new Error('truncated tree object');
    items.push({ mode: body.toString('latin1', at, space), name: body.toString('latin1', space + 1, nul), id: body.toString('hex', nul + 1, nul + 1 + idBytes) });
    at = nul + 1 + idBytes;
  }
  return items;
}

/** A tree object's body, entries in git's order (a directory's name compares as if it ended in '/'). */
export function treeBody(items: readonly TreeItem[]): Buffer {
  const key = (i: TreeItem) => (i.mode === '40000' ? `${i.name}/` : i.name);
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return Buffer.concat(sorted.flatMap((i) => [Buffer.from(`${i.mode} ${i.name}\0`, 'latin1'), Buffer.from(i.id, 'hex')]));
}

/** An object's content: loose, read here; else asked of the cat-file kept for the process. */
async function readObject(repo: RepoPaths, id: string): Promise<{ type: string; body: Buffer } | null> {
  return (await readLooseObject(repo, id)) ?? (await readObjects(repo, [id]))[0] ?? null;
}

/**
 * Whether git, writing notes of these names at one level, would put them one fan-out level deeper:
 * every first hex digit begins two names or more (notes.c determine_fanout).
 */
function gitWouldFanOut(names: readonly string[]): boolean {
  const seen = new Map<string, number>();
  for (const n of names) if (/^[0-9a-f]+$/.test(n)) seen.set(n[0]!, (seen.get(n[0]!) ?? 0) + 1);
  return [...'0123456789abcdef'].every((d) => (seen.get(d) ?? 0) >= 2);
}

const isHex2Dir = (i: TreeItem) => i.mode === '40000' && /^[0-9a-f]{2}$/.test(i.name);

/** A tree's entries, or [] for none (a new directory); null when `id` is no tree. */
async function treeItems(repo: RepoPaths, id: string | undefined): Promise<TreeItem[] | null> {
  if (id === undefined) return [];
  const o = await readObject(repo, id);
  return o?.type === 'tree' ? parseTreeBody(o.body) : null;
}

/**
 * Write `text` as the note on `object` (a fresh snapshot: it has none), create `refs` (full name →
 * id) and move the notes ref from `tip`, in one transaction. `ident` is the committer line's
 * "Name <email>" as git would take it. Returns the new notes tip; null when this way does not apply
 * (a notes ref that is not a commit, a note already there, a commit git would write otherwise) or
 * the transaction failed: then nothing changed, and the caller goes the general way.
 */
export async function noteWithRefs(
  repo: RepoPaths,
  tip: string | null,
  object: string,
  text: string,
  refs: ReadonlyMap<string, string>,
  ident: string,
): Promise<string | null> {
  if (object.length !== 2 * ID_BYTES) return null;
  let root: TreeItem[] = [];
  if (tip) {
    const commit = await readObject(repo, tip);
    const tree = commit?.type === 'commit' ? /^tree ([0-9a-f]{40})\n/.exec(commit.body.toString('latin1'))?.[1] : undefined;
    const items = tree ? await treeItems(repo, tree) : null;
    if (!items) return null;
    root = items;
  }
  // Where git notes would put it: at the fan-out its neighbours use (notes-write.ts notePath).
  const xx = object.slice(0, 2);
  const sub = root.find((i) => i.name === xx && isHex2Dir(i));
  const level1 = sub ? await treeItems(repo, sub.id) : [];
  if (!level1) return null;
  const fanned = sub !== undefined || root.some(isHex2Dir);
  const yy = object.slice(2, 4);
  const deep = sub !== undefined && level1.some(isHex2Dir);
  const sub2 = deep ? level1.find((i) => i.name === yy && isHex2Dir(i)) : undefined;
  const level2 = deep ? await treeItems(repo, sub2?.id) : [];
  if (!level2) return null;
  const leaf = deep ? level2 : fanned ? level1 : root;
  const name = deep ? object.slice(4) : fanned ? object.slice(2) : object;
  if (leaf.some((i) => i.name === name)) return null; // a note already there: merged the general way
  // A level git would lay out one fan-out deeper: left to `git notes add`, which does (else every
  // create adds to one tree that grows without end, and rewrites all of it each time).
  if (gitWouldFanOut([...leaf.map((i) => i.name), name])) return null;

  const put = async (items: TreeItem[], entry: TreeItem) => writeLooseObject(repo, 'tree', treeBody([...items.filter((i) => i.name !== entry.name), entry]));
  let id = await writeLooseObject(repo, 'blob', Buffer.from(text, 'utf8'));
  let entry: TreeItem = { mode: '100644', name, id };
  if (deep) entry = { mode: '40000', name: yy, id: await put(level2, entry) };
  if (fanned) entry = { mode: '40000', name: xx, id: await put(level1, entry) };
  const rootTree = await put(root, entry);
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  const commitText = `tree ${rootTree}\n${tip ? `parent ${tip}\n` : ''}author ${ident} ${when}\ncommitter ${ident} ${when}\n\nNotes added by git backup\n`;
  if (!keptAsIs(commitText)) return null;
  const newTip = await writeLooseObject(repo, 'commit', Buffer.from(commitText, 'utf8'));
  await pauseAt('notes:before-transaction'); // tests: the notes ref moved between the read of its tip and this write
  // The backup's ref itself, never what a symbolic ref left there by hand names; the notes ref as
  // `git notes` writes it (through a symbolic ref, if one was made).
  const instructions = [...[...refs].flatMap(([ref, to]) => ['option no-deref', `create ${ref} ${to}`]), `update ${NOTES_REF} ${newTip} ${tip ?? '0'.repeat(40)}`];
  const r = await waitingOutLock(() => refTransaction(repo, instructions, 'git-backup: create'));
  return r.code === 0 ? newTip : null;
}
