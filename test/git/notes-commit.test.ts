// A new backup's note and ref in one transaction, the notes commit written by this process
// (git/notes-commit.ts), against real git: the trees it writes are the ones git would (mktree),
// the note lands at the fan-out its neighbours use and git reads it, fsck finds nothing wrong, and
// a notes ref moved since its tip was read, or a note already there, changes nothing.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { findRepo, type RepoPaths } from '../../src/git/exec.js';
import { noteWithRefs, parseTreeBody, treeBody, type TreeItem } from '../../src/git/notes-commit.js';
import { notesTip } from '../../src/git/notes-write.js';

const IDENT = 'Tester <t@example.com>';
const NOTES = 'refs/notes/backups';

/** A repository with `n` commits to annotate. */
async function setUp(n: number): Promise<{ repo: TestRepo; paths: RepoPaths; commits: string[] }> {
  const repo = tempRepo();
  const commits: string[] = [];
  for (let i = 0; i < n; i++) {
    repo.write('f.txt', `${i}\n`);
    commits.push(repo.commitAll(`c${i}`));
  }
  return { repo, paths: await findRepo(repo.dir), commits };
}

/** Notes at these tree paths (objects this clone need not have), as one commit on the notes ref. */
function notesAt(repo: TestRepo, paths: readonly string[]): void {
  const data = (t: string) => `data ${Buffer.byteLength(t)}\n${t}\n`;
  const input = [`commit ${NOTES}\ncommitter x <x@x> 1 +0000\n`, data('laid out by hand'), ...paths.map((p) => `M 100644 inline ${p}\n${data(`note at ${p}`)}`)].join('');
  repo.git(['fast-import', '--quiet'], { input });
}

test('tree bodies come out as git mktree writes them (a directory sorts as its name with a slash)', async () => {
  const { repo } = await setUp(1);
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'x' });
  const tree = repo.git(['mktree'], { input: `100644 blob ${blob}\tkeep\n` });
  const items: TreeItem[] = [
    { mode: '100644', name: 'ab1', id: blob },
    { mode: '40000', name: 'ab', id: tree },
    { mode: '100644', name: 'ab-', id: blob },
    { mode: '100644', name: 'ab.', id: blob },
    { mode: '40000', name: 'a', id: tree },
    { mode: '100644', name: 'a0', id: blob },
  ];
  const ours = treeBody(items);
  const listing = items.map((i) => `${i.mode === '40000' ? '040000 tree' : '100644 blob'} ${i.id}\t${i.name}`).join('\n') + '\n';
  const id = createHash('sha1').update(Buffer.concat([Buffer.from(`tree ${ours.length}\0`), ours])).digest('hex');
  assert.is(id, repo.git(['mktree'], { input: listing }));
  assert.equal(parseTreeBody(ours).map((i) => i.name), ['a', 'a0', 'ab-', 'ab.', 'ab', 'ab1']);
});

for (const [layout, lay, where] of [
  ['no notes yet', [] as string[], (o: string) => o],
  ['a flat notes tree', ['1111111111111111111111111111111111111111'], (o: string) => o],
  ['one fan-out level (its directory there)', [] as string[], (o: string) => `${o.slice(0, 2)}/${o.slice(2)}`],
  ['one fan-out level (another directory only)', ['ff/11111111111111111111111111111111111111'], (o: string) => `${o.slice(0, 2)}/${o.slice(2)}`],
  ['two fan-out levels', [] as string[], (o: string) => `${o.slice(0, 2)}/${o.slice(2, 4)}/${o.slice(4)}`],
] as const) {
  test(`a note and a ref in one transaction: ${layout}`, async () => {
    const { repo, paths, commits } = await setUp(2);
    const [object, other] = commits as [string, string];
    // The layouts that need the object's own directory are laid out around it.
    const around = layout.startsWith('one fan-out level (its') ? [`${object.slice(0, 2)}/${other.slice(2)}`] : layout.startsWith('two') ? [`${object.slice(0, 2)}/${object.slice(2, 4)}/${other.slice(4)}`, `${object.slice(0, 2)}/ee/${other.slice(4)}`] : lay;
    if (around.length) notesAt(repo, around);
    const tip = await notesTip(paths);
    const made = await noteWithRefs(paths, tip, object, 'line one\n', new Map([['refs/backups/20260101-000000-abcd', object]]), IDENT);
    assert.ok(made, 'written');
    assert.is(repo.git(['rev-parse', NOTES]), made);
    assert.is(repo.git(['rev-parse', 'refs/backups/20260101-000000-abcd']), object);
    assert.is(repo.git(['notes', '--ref=backups', 'show', object]), 'line one');
    assert.ok(repo.git(['ls-tree', '-r', '--name-only', NOTES]).split('\n').includes(where(object)), `at ${where(object)}`);
    // Every note that was there still is, and the history goes on from the tip that was read.
    for (const p of around) assert.ok(repo.git(['ls-tree', '-r', '--name-only', NOTES]).split('\n').includes(p), p);
    if (tip) assert.is(repo.git(['rev-parse', `${NOTES}^`]), tip);
    assert.is(repo.git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', NOTES]), `${IDENT}|${IDENT}`);
    assert.is(repo.git(['fsck', '--no-dangling', '--strict']), '');
  });
}

test('a notes ref moved since its tip was read, or a note already there: nothing changes, null', async () => {
  const { repo, paths, commits } = await setUp(3);
  const [a, b, c] = commits as [string, string, string];
  repo.git(['notes', '--ref=backups', 'add', '-m', 'first', a]);
  const stale = await notesTip(paths);
  repo.git(['notes', '--ref=backups', 'add', '-m', 'moved', b]);
  const now = repo.git(['rev-parse', NOTES]);
  assert.is(await noteWithRefs(paths, stale, c, 'x\n', new Map([['refs/backups/20260101-000000-cccc', c]]), IDENT), null);
  assert.is(repo.git(['rev-parse', NOTES]), now, 'the notes ref as the other writer left it');
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '', 'and no ref');
  assert.is(await noteWithRefs(paths, now, a, 'x\n', new Map([['refs/backups/20260101-000000-aaaa', a]]), IDENT), null, 'a already has a note');
  assert.is(repo.git(['notes', '--ref=backups', 'show', a]), 'first');
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '');
});

test('a notes ref made a symbolic ref by hand is written through, as git notes does; the backup ref never is', async () => {
  const { repo, paths, commits } = await setUp(3);
  const [a, b, c] = commits as [string, string, string];
  repo.git(['notes', '--ref=refs/notes/real', 'add', '-m', 'first', a]);
  repo.git(['symbolic-ref', NOTES, 'refs/notes/real']);
  repo.git(['symbolic-ref', 'refs/backups/20260101-000000-dddd', 'refs/heads/main']); // left by hand, dangling or not
  const made = await noteWithRefs(paths, await notesTip(paths), b, 'x\n', new Map([['refs/backups/20260101-000000-bbbb', b]]), IDENT);
  assert.ok(made);
  assert.is(repo.git(['symbolic-ref', NOTES]), 'refs/notes/real', 'still symbolic');
  assert.is(repo.git(['rev-parse', 'refs/notes/real']), made);
  assert.is(repo.git(['notes', '--ref=backups', 'show', b]), 'x');
  // A backup ref's name that is a symbolic ref: created as itself is refused, never written through.
  const main = repo.git(['rev-parse', 'refs/heads/main']);
  assert.is(await noteWithRefs(paths, made, c, 'y\n', new Map([['refs/backups/20260101-000000-dddd', c]]), IDENT), null);
  assert.is(repo.git(['rev-parse', 'refs/heads/main']), main, 'the branch it names is untouched');
});

test('a ref already there fails the whole transaction: no note either', async () => {
  const { repo, paths, commits } = await setUp(2);
  const [a, b] = commits as [string, string];
  repo.git(['update-ref', 'refs/backups/20260101-000000-bbbb', b]);
  const tip = await notesTip(paths);
  assert.is(await noteWithRefs(paths, tip, a, 'x\n', new Map([['refs/backups/20260101-000000-bbbb', a]]), IDENT), null);
  assert.is(await notesTip(paths), tip);
  assert.is(repo.git(['rev-parse', 'refs/backups/20260101-000000-bbbb']), b);
});

test('a flat notes tree git would fan out (two notes or more under every first digit): left to git notes, which lays it out', async () => {
  const { repo, paths, commits } = await setUp(1);
  const [object] = commits as [string];
  // The notes every create of a new repository would leave: flat, under every first hex digit twice.
  notesAt(repo, [...'0123456789abcdef'].flatMap((d) => [`${d}${'1'.repeat(39)}`, `${d}${'2'.repeat(39)}`]));
  const tip = await notesTip(paths);
  assert.is(await noteWithRefs(paths, tip, object, 'x\n', new Map([['refs/backups/20260101-000000-ffff', object]]), IDENT), null, 'not written flat');
  assert.is(await notesTip(paths), tip);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '');
  // What git does with it instead: one fan-out level.
  repo.git(['notes', '--ref=backups', 'add', '-m', 'x', object]);
  assert.ok(repo.git(['ls-tree', '-r', '--name-only', NOTES]).split('\n').includes(`${object.slice(0, 2)}/${object.slice(2)}`));
});

test.run();
