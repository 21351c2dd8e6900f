// Content proofs as pure functions: which protected paths a history holds, supersedes or lacks,
// and the reconcile decisions that follow from them (no git here; the edge is tested in cli/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommitGraph, type CommitInfo } from '../../src/core/graph.js';
import { ContentIndex, describeProof, holdsAll, integrationProof, judgeContent, proofOf, protectedEntries, uniquePaths, type CommitChanges, type ProtectedEntry } from '../../src/core/content.js';
import { planByAncestry, type ReconcileBackup } from '../../src/core/reconcile.js';

const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
const ME = 'me@example.com';
/**
 * base <- c1 (feature: idea.txt=I, README=R1) <- c2 (feature: l.txt=L2)
 * base <- m1 (main: b.txt) <- M (merge of c2)
 * base <- s1 (main2: a squash of the feature: idea.txt=I, README=R1, l.txt=L2)
 */
function history(): { graph: CommitGraph; content: ContentIndex } {
  const c: [string, CommitInfo][] = [
    ['base', { parents: [], time: T0 }],
    ['c1', { parents: ['base'], time: T0 + 100 }],
    ['c2', { parents: ['c1'], time: T0 + 200 }],
    ['m1', { parents: ['base'], time: T0 + 150 }],
    ['M', { parents: ['m1', 'c2'], time: T0 + 300 }],
    ['s1', { parents: ['base'], time: T0 + 400 }],
    ['t1', { parents: ['c2'], time: T0 + 250, author: 'mate@example.com' }],
  ];
  const changes: CommitChanges[] = [
    { commit: 'base', changes: [{ path: 'README', oid: 'R0' }, { path: 'old.txt', oid: 'O0' }] },
    { commit: 'c1', changes: [{ path: 'idea.txt', oid: 'I' }, { path: 'README', oid: 'R1' }, { path: 'old.txt', oid: null }] },
    { commit: 'c2', changes: [{ path: 'l.txt', oid: 'L2' }] },
    { commit: 'm1', changes: [{ path: 'b.txt', oid: 'B' }] },
    { commit: 'M', changes: [{ path: 'idea.txt', oid: 'I' }, { path: 'README', oid: 'RM' }, { path: 'l.txt', oid: 'L2' }, { path: 'old.txt', oid: null }] },
    { commit: 's1', changes: [{ path: 'idea.txt', oid: 'I' }, { path: 'README', oid: 'R1' }, { path: 'l.txt', oid: 'L2' }] },
    { commit: 't1', changes: [{ path: 'README', oid: 'R-mate' }] },
  ];
  // Every commit is the user's (ME) but t1, a teammate's.
  return { graph: new CommitGraph(new Map(c.map(([sha, info]) => [sha, { author: ME, ...info }]))), content: new ContentIndex(changes) };
}
const created = T0 + 50;
const scope = (tip: string, extra: { alsoCounts?: string } = {}) => ({ tip, root: 'base', line: tip, me: ME, createdSec: created, ...extra });
const judge = (entries: ProtectedEntry[], tip: string, extra: { alsoCounts?: string } = {}) => {
  const { graph, content } = history();
  return judgeContent(entries, scope(tip, extra), graph, content);
};

test('held at any path and in any commit of the history, not only the tip', () => {
  const v = judge([{ path: 'copy-of-idea.txt', oid: 'I' }], 'c2');
  assert.equal(v, [{ path: 'copy-of-idea.txt', status: 'held', commit: 'c1' }]);
});

test('an unrelated commit holds nothing: the work stays unique', () => {
  const v = judge([{ path: 'idea.txt', oid: 'I-uncommitted' }, { path: 'README', oid: 'R-edit' }], 'm1');
  assert.equal(uniquePaths(v), ['idea.txt', 'README']);
  assert.equal(v.map((p) => p.status), ['unique', 'unique']);
  assert.not.ok(holdsAll(v));
});

test('edited further and committed on the line: superseded, and said so', () => {
  const v = judge([{ path: 'README', oid: 'R-first-draft' }], 'c2');
  assert.equal(v, [{ path: 'README', status: 'superseded', commit: 'c1' }]);
  assert.ok(holdsAll(v));
  assert.match(describeProof(proofOf('line', 'c2', v)), /0 of 1 file held; README changed again and committed/);
});

test('a change committed before the backup does not supersede it', () => {
  const { graph, content } = history();
  const late = judgeContent([{ path: 'README', oid: 'R-later' }], { ...scope('c2'), createdSec: T0 + 101 }, graph, content);
  assert.equal(late.map((p) => p.status), ['unique']);
});

test('supersession only on the backup\'s own line: a change on another line, or with no line, proves nothing', () => {
  const { graph, content } = history();
  // m1 (main) changes b.txt after the backup and is in M's history, but not on the line that holds the work (c2).
  const mine = [{ path: 'b.txt', oid: 'B-mine' }];
  assert.equal(judgeContent(mine, { ...scope('M'), line: 'c2' }, graph, content).map((p) => p.status), ['unique']);
  assert.equal(judgeContent(mine, { ...scope('M'), line: 'M' }, graph, content).map((p) => p.status), ['superseded']);
  // No line (a branch that is not the backup's): held content still counts, supersession does not.
  const v = judgeContent([{ path: 'README', oid: 'R-draft' }, { path: 'x', oid: 'I' }], { ...scope('c2'), line: null }, graph, content);
  assert.equal(v.map((p) => p.status), ['unique', 'held']);
});

test('only the user\'s own commits supersede, and no merge: a teammate\'s change, or one a merge brought in, proves nothing about this work', () => {
  const { graph, content } = history();
  const draft = [{ path: 'README', oid: 'R-draft' }];
  // t1 (a teammate's) is the only change to README after a backup taken at T0+210 on c2.
  const late = { ...scope('t1'), root: 'c2', createdSec: T0 + 210 };
  assert.equal(judgeContent(draft, late, graph, content).map((p) => p.status), ['unique']);
  assert.equal(judgeContent(draft, { ...late, me: 'mate@example.com' }, graph, content).map((p) => p.status), ['superseded'], 'the same commit, had the user made it');
  assert.equal(judgeContent(draft, { ...late, me: null }, graph, content).map((p) => p.status), ['unique'], 'no identity: nothing supersedes');
  // M (a merge, the user's) changes README against its first parent: what it brought in, not new work.
  const atMerge = { ...scope('M'), root: 'm1', createdSec: T0 + 250 };
  assert.equal(judgeContent(draft, atMerge, graph, content).map((p) => p.status), ['unique']);
});

test('the commit the base was rewritten into does not supersede: its diff holds the base\'s own changes (a reworded amend)', () => {
  const { graph, content } = history();
  // c1 stands for the amended base: it changes README, but that change predates the backup.
  const v = judgeContent([{ path: 'README', oid: 'R-draft' }], { tip: 'c2', root: 'c1', line: 'c2', me: ME, createdSec: created }, graph, content);
  assert.equal(v.map((p) => p.status), ['unique']);
});

test('staged, then edited or deleted: both versions are protected, and the path is as safe as its less safe version', () => {
  const entries = protectedEntries([{ path: 'f', oid: null }, { path: 'g', oid: 'W' }], [{ path: 'f', oid: 'S' }, { path: 'g', oid: 'W' }, { path: 'h', oid: 'H' }], []);
  assert.equal(entries, [{ path: 'f', oid: null }, { path: 'f', oid: 'S' }, { path: 'g', oid: 'W' }, { path: 'h', oid: 'H' }]);
  const v = judge(entries, 'c2');
  assert.equal(v.map((p) => p.status), ['uncommitted', 'unique', 'unique', 'unique']);
  const p = proofOf('line', 'c2', v);
  assert.equal([p.files, p.unique, p.uncommitted], [3, ['f', 'g', 'h'], []]);
  // The staged version held (idea.txt's I is in c1), the worktree deletion not made: the deletion blocks, nothing is lost.
  const q = proofOf('line', 'c2', judge(protectedEntries([{ path: 'x', oid: null }], [{ path: 'x', oid: 'I' }], []), 'c2'));
  assert.equal([q.files, q.uncommitted, q.unique], [1, ['x'], []]);
});

test('staged S, worktree W, then S committed: committing the older staged version does not supersede the newer worktree one', () => {
  // c1 (the user's, after the backup) writes README=R1: the staged version was R1, the worktree R-later.
  const entries = protectedEntries([{ path: 'README', oid: 'R-later' }], [{ path: 'README', oid: 'R1' }], []);
  const v = judge(entries, 'c2');
  assert.equal(v.map((p) => p.status), ['unique', 'held']);
  assert.equal(proofOf('line', 'c2', v).unique, ['README']);
  // The other way round still holds: the worktree version committed continues the staged one.
  const w = judge(protectedEntries([{ path: 'README', oid: 'R1' }], [{ path: 'README', oid: 'R-earlier' }], []), 'c2');
  assert.equal(w.map((p) => p.status), ['held', 'superseded']);
});

test('a later commit that deletes the path (git rm, or a rename away) does not supersede its content', () => {
  // c1 (the user's, after the backup) deletes old.txt: the backup's edit of it is found nowhere else.
  const v = judge([{ path: 'old.txt', oid: 'O-edited' }], 'c2');
  assert.equal(v.map((p) => p.status), ['unique']);
  // A deletion protected by the backup is held by that commit, as before.
  assert.equal(judge([{ path: 'old.txt', oid: null }], 'c2').map((p) => p.status), ['held']);
});

test('a later commit that changes only the path\'s mode does not supersede its content', () => {
  const { graph } = history();
  const index = new ContentIndex([{ commit: 'c1', changes: [{ path: 'README', oid: 'R0', mode: '100755', modeOnly: true }] }]);
  const v = judgeContent([{ path: 'README', oid: 'R-edited' }], scope('c2'), graph, index);
  assert.equal(v.map((p) => p.status), ['unique']);
});

test('a tracked file taken out of the index (git rm --cached) and left in the worktree: its content is protected', () => {
  // The worktree and staged trees lose the path; the untracked part holds it with its edits.
  const entries = protectedEntries([{ path: 'f', oid: null }], [{ path: 'f', oid: null }], [{ path: 'f', oid: 'X' }]);
  assert.equal(entries, [{ path: 'f', oid: 'X' }]);
  assert.equal(proofOf('line', 'c2', judge(entries, 'c2')).unique, ['f']);
  // Unchanged from the base (`git rm --cached` of a file as committed): no work, the deletion stands.
  const same = protectedEntries([{ path: 'f', oid: null }], [{ path: 'f', oid: null }], [{ path: 'f', oid: 'B' }], new Map([['f', { oid: 'B' }]]));
  assert.equal(same, [{ path: 'f', oid: null }]);
  // The same bytes with another mode are a change.
  const chmod = protectedEntries([{ path: 'f', oid: null }], [], [{ path: 'f', oid: 'B', mode: '100755' }], new Map([['f', { oid: 'B' }]]));
  assert.equal(chmod, [{ path: 'f', oid: 'B', mode: '100755' }]);
});

test('held means the same blob and mode: an exec bit (or a symlink of the same bytes) is content of its own', () => {
  const { graph } = history();
  const index = new ContentIndex([{ commit: 'c1', changes: [{ path: 'run.sh', oid: 'S' }, { path: 'tool', oid: 'T', mode: '100755' }] }]);
  const scoped = { ...scope('c2'), line: null };
  const v = judgeContent([{ path: 'run.sh', oid: 'S', mode: '100755' }, { path: 'link', oid: 'S', mode: '120000' }, { path: 'tool', oid: 'T', mode: '100755' }, { path: 'copy', oid: 'S' }], scoped, graph, index);
  assert.equal(v.map((p) => p.status), ['unique', 'unique', 'held', 'held']);
});

test('an amended base supersedes a path only when the amend changed it against the base', () => {
  const { graph, content } = history();
  // c1 stands for the base amended: it has README R1; the base (before the amend) had R0 or R1.
  const draft = [{ path: 'README', oid: 'R-draft' }];
  const scoped = (baseBlob: string | null | undefined) => ({
    tip: 'c2', root: 'c1', line: 'c2', me: ME, createdSec: created,
    rootChanged: (path: string, oid: string | null) => path === 'README' && baseBlob !== undefined && baseBlob !== oid,
  });
  assert.equal(judgeContent(draft, scoped('R0'), graph, content).map((p) => p.status), ['superseded'], 'the amend changed README: the work continued');
  assert.equal(judgeContent(draft, scoped('R1'), graph, content).map((p) => p.status), ['unique'], 'a reworded amend changed nothing');
  assert.equal(judgeContent(draft, scoped(undefined), graph, content).map((p) => p.status), ['unique'], 'not known: not counted');
});

test('half committed, half thrown away: partly held is a visible fact, not a state', () => {
  const v = judge([{ path: 'idea.txt', oid: 'I' }, { path: 'a.txt', oid: 'A' }, { path: 'b.txt', oid: 'B-mine' }, { path: 'l.txt', oid: 'L-lost' }], 'c1');
  const p = proofOf('line', 'c1', v);
  assert.not.ok(holdsAll(v));
  assert.equal(p.unique, ['a.txt', 'b.txt', 'l.txt']);
  assert.is(describeProof(p), '1 of 4 files held; a.txt, b.txt, l.txt are found nowhere else (in its line at c1)');
});

test('deletions: held when the history deletes the path too, else uncommitted (nothing lost)', () => {
  const v = judge([{ path: 'old.txt', oid: null }, { path: 'never.txt', oid: null }], 'c1');
  assert.equal(v.map((p) => [p.path, p.status]), [['old.txt', 'held'], ['never.txt', 'uncommitted']]);
  assert.equal(uniquePaths(v), []);
  assert.not.ok(holdsAll(v));
});

test('a tip outside the known graph proves nothing', () => {
  assert.equal(judge([{ path: 'idea.txt', oid: 'I' }], 'nowhere').map((p) => p.status), ['unique']);
});

test('integration proof: merged content is held; a squash merge supersedes through the commit that confirmed it', () => {
  const { graph, content } = history();
  const b = { protects: [{ path: 'idea.txt', oid: 'I' }, { path: 'README', oid: 'R-draft' }], base: 'base', created_at: new Date(created * 1000).toISOString(), pending_commit: 'c2', confirmed_by: null };
  assert.equal(integrationProof(b, 'M', graph, content, ME)!.unique, [], 'README superseded on the line (c1), merged by M');
  // Work on top of c1, squashed into s1 (which does not descend from c1): only the confirming commit supersedes,
  // and only with content the user's own commit on the line wrote after the backup (l.txt=L2, by c2).
  const onC1 = { ...b, protects: [{ path: 'README', oid: 'R-draft' }, { path: 'l.txt', oid: 'L-draft' }], base: 'c1', created_at: new Date((T0 + 150) * 1000).toISOString() };
  assert.equal(integrationProof(onC1, 's1', graph, content, ME)!.unique, ['README', 'l.txt'], 's1 is not on the backup\'s line');
  assert.equal(integrationProof({ ...onC1, confirmed_by: 's1' }, 's1', graph, content, ME)!.unique, ['README'], 'the squash that confirmed it counts for l.txt; README=R1 is the base\'s own change (c1), carried by the squash, not the work continued');
  assert.is(integrationProof({ ...b, protects: null }, 'M', graph, content, ME), null);
});

// ------------------------------------------------------------------------------------------------
// Reconcile decisions by content

const backup = (over: Partial<ReconcileBackup> = {}): ReconcileBackup => ({
  id: 'b1', state: 'CREATED', branch: 'feature', base: 'base', created_at: new Date(created * 1000).toISOString(), pending_commit: null, snapshot: 'snap',
  protects: [{ path: 'idea.txt', oid: 'I' }, { path: 'README', oid: 'R1' }], ...over,
});
const facts = (branches: [string, string][], integration: string | null, head: { commit: string; branch: string | null } | null = null) => {
  const { graph, content } = history();
  return { graph, content, authors: new Map([['snap', ME]]), branches: new Map(branches), integration: integration ? { name: 'origin/main', tip: integration } : null, head };
};

test('the new-user scenario: a commit after the backup that touches none of its content moves nothing', () => {
  const work = backup({ branch: 'main', protects: [{ path: 'idea.txt', oid: 'I-never-committed' }, { path: 'README', oid: 'R-edit' }] });
  const { plans } = planByAncestry([work], facts([['main', 'm1']], 'm1'));
  assert.equal(plans.flatMap((p) => p.steps), []);
  assert.equal(plans[0]!.proof!.unique, ['idea.txt', 'README']);
});

test('HEAD on another branch holds the work only with its content: a teammate\'s change to the same file there supersedes nothing', () => {
  // Backed up on feature (still at its base), then HEAD on main, where m1 changes b.txt after the backup.
  const work = backup({ protects: [{ path: 'b.txt', oid: 'B-mine' }] });
  const { plans } = planByAncestry([work], facts([['feature', 'base'], ['main', 'm1']], null, { commit: 'm1', branch: 'main' }));
  assert.equal(plans.flatMap((p) => p.steps), []);
  // The same change on its own branch is the work continued and committed there.
  const own = planByAncestry([backup({ branch: 'main', protects: [{ path: 'b.txt', oid: 'B-mine' }] })], facts([['main', 'm1']], null));
  assert.equal(own.plans.flatMap((p) => p.steps.map((s) => s.to)), ['PENDING']);
});

test('work committed exactly -> PENDING with the proof; merged -> CONFIRMED with the proof', () => {
  const { plans } = planByAncestry([backup()], facts([['feature', 'c2']], 'M'));
  const steps = plans[0]!.steps;
  assert.equal(steps.map((s) => s.to), ['PENDING', 'CONFIRMED']);
  assert.equal(steps[0]!.facts.content!.commits, ['c1']);
  assert.match(steps[0]!.reason, /committed on feature in c2: 2 of 2 files held/);
  assert.equal(steps[1]!.facts.content!.history, 'integration');
  assert.match(steps[1]!.reason, /merged into origin\/main by M: 2 of 2 files held/);
});

test('committed on the line but not all of it in the integration branch: stays PENDING', () => {
  const work = backup({ protects: [{ path: 'l.txt', oid: 'L2' }] });
  const { plans } = planByAncestry([work], facts([['feature', 'c2']], 'm1'));
  assert.equal(plans[0]!.steps.map((s) => s.to), ['PENDING']);
});

test('detached HEAD: the work is found where it was committed (HEAD, a branch, the integration branch)', () => {
  const detached = backup({ branch: null });
  assert.equal(planByAncestry([detached], facts([], null, { commit: 'c1', branch: null })).plans[0]!.steps.map((s) => s.to), ['PENDING']);
  const merged = planByAncestry([detached], facts([['main', 'M']], 'M')).plans[0]!;
  assert.equal(merged.steps.map((s) => s.to), ['PENDING', 'CONFIRMED']);
  assert.equal(planByAncestry([detached], facts([['main', 'm1']], 'm1')).plans.flatMap((p) => p.steps), []);
});

test('without the list of what it protects nothing moves', () => {
  assert.equal(planByAncestry([backup({ protects: null })], facts([['feature', 'c2']], 'M')).plans, []);
});

test.run();
