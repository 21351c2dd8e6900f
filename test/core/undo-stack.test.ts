// The undo stack read from undo points' labels, and the agent settings merge: pure functions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { redoTarget, undoPointLabels, undoPointOf, undoTarget, type UndoOp, type UndoPoint } from '../../src/core/undo-stack.js';
import { addAgentHooks, removeAgentHooks, settingsShapeProblem, CLAUDE_HOOK_COMMAND, CLAUDE_INSTALLED_COMMAND } from '../../src/core/agent-settings.js';

let clock = 0;
/** A point as the backups' labels would give it back, each one newer than the last. */
function point(id: string, op: UndoOp, reverts: string | null = null): UndoPoint {
  const p = undoPointOf({ id, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(), labels: ['x', ...undoPointLabels(op, reverts)] });
  assert.ok(p);
  return p!;
}

test('labels round-trip; a backup without the label is not a point', () => {
  assert.equal(undoPointLabels('undo', 'B1'), ['undo-point', 'undo-op:undo', 'undoes:B1']);
  assert.equal(undoPointLabels('redo', 'B2'), ['undo-point', 'undo-op:redo', 'redoes:B2']);
  assert.is(undoPointOf({ id: 'a', created_at: 'x', labels: ['undo-op:run'] }), null);
  assert.is(undoPointOf({ id: 'a', created_at: 'x', labels: ['undo-point', 'undo-op:bogus'] }), null);
});

test('editor-like walk: undo, undo, redo, undo, redo, redo', () => {
  const pts: UndoPoint[] = [];
  const P1 = point('P1', 'run'); // state S0 before run 1
  const P2 = point('P2', 'run'); // S1 before run 2 (tree now S2)
  pts.push(P1, P2);
  assert.is(undoTarget(pts)?.id, 'P2');
  assert.is(redoTarget(pts), null, 'nothing undone yet');
  pts.push(point('U1', 'undo', 'P2')); // holds S2; tree now S1
  assert.is(undoTarget(pts)?.id, 'P1', 'a second undo goes further back');
  assert.is(redoTarget(pts)?.id, 'U1');
  pts.push(point('U2', 'undo', 'P1')); // holds S1; tree S0
  assert.is(undoTarget(pts), null, 'nothing further back');
  assert.is(redoTarget(pts)?.id, 'U2');
  pts.push(point('R1', 'redo', 'U2')); // holds S0; tree S1
  assert.is(undoTarget(pts)?.id, 'R1', 'undo of a redo goes back to before it');
  assert.is(redoTarget(pts)?.id, 'U1');
  pts.push(point('R2', 'redo', 'U1')); // holds S1; tree S2
  assert.is(redoTarget(pts), null);
  assert.is(undoTarget(pts)?.id, 'R2');
  // A new run ends the redo history.
  pts.push(point('U3', 'undo', 'R2'));
  assert.is(redoTarget(pts)?.id, 'U3');
  pts.push(point('P3', 'restore'));
  assert.is(redoTarget(pts), null);
  assert.is(undoTarget(pts)?.id, 'P3');
});

test('agent settings: added beside the user entries, once; removed exactly; shapes we cannot edit are named', () => {
  const user = { model: 'x', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'mine' }] }], Stop: [] } };
  const added = addAgentHooks(user);
  assert.ok(added.changed);
  assert.equal(added.created, ['hooks.UserPromptSubmit']);
  assert.is(added.settings.hooks!.PreToolUse!.length, 2);
  assert.equal(user.hooks.PreToolUse.length, 1, 'the input is not modified');
  assert.not.ok(addAgentHooks(added.settings).changed);
  const removed = removeAgentHooks(added.settings, added.created);
  assert.ok(removed.changed);
  assert.equal(removed.settings, user);
  assert.not.ok(removed.empty);
  // Without knowing what install created, the lists stay (empty), nothing of the user's goes.
  assert.equal(removeAgentHooks(added.settings).settings, { ...user, hooks: { ...user.hooks, UserPromptSubmit: [] } });
  const fromNothing = addAgentHooks({});
  assert.equal(fromNothing.created, ['hooks', 'hooks.UserPromptSubmit', 'hooks.PreToolUse']);
  assert.ok(removeAgentHooks(fromNothing.settings, fromNothing.created).empty);
  // Our command inside a group the user also uses: only our command goes.
  const shared = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'mine' }, { type: 'command', command: CLAUDE_INSTALLED_COMMAND }] }] } };
  assert.equal(removeAgentHooks(shared).settings, { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'mine' }] }] } });
  // The user's own entries for our hook (unmarked): install adds nothing beside them, uninstall keeps them.
  const own = { hooks: { UserPromptSubmit: [{ hooks: [{ type: 'command', command: CLAUDE_HOOK_COMMAND, timeout: 30 }] }], Stop: [{ hooks: [{ type: 'command', command: CLAUDE_HOOK_COMMAND }] }] } };
  const withOurs = addAgentHooks(own);
  assert.is(withOurs.settings.hooks!.UserPromptSubmit!.length, 1, 'the event already runs our hook');
  assert.equal(removeAgentHooks(withOurs.settings, withOurs.created).settings, own);
  assert.is(settingsShapeProblem([]), 'it is not a JSON object');
  assert.match(settingsShapeProblem({ hooks: { PreToolUse: {} } }) ?? '', /not a list/);
  assert.is(settingsShapeProblem({ hooks: {} }), null);
});

test.run();
