// The undo stack, read from the backups themselves: every operation that rewrites the working tree
// (run, restore, undo, redo) first takes a whole-tree backup of the tree as it was, its *undo point*,
// labelled with the operation and, for undo and redo, the point it went back to. Walking those
// points newest first gives editor-like undo and redo without a second record that could disagree
// with the backups (and it survives gc and travels with the notes, as labels do).

/** The operations that take an undo point. */
export const UNDO_OPS = ['run', 'restore', 'undo', 'redo'] as const;
export type UndoOp = (typeof UNDO_OPS)[number];

export const UNDO_POINT_LABEL = 'undo-point';

/** The labels an undo point carries: what took it, and which point an undo/redo went back to. */
export function undoPointLabels(op: UndoOp, reverts: string | null): string[] {
  const out = [UNDO_POINT_LABEL, `undo-op:${op}`];
  if (reverts) out.push(`${op === 'undo' ? 'undoes' : 'redoes'}:${reverts}`);
  return out;
}

export interface UndoPoint {
  id: string;
  created_at: string;
  op: UndoOp;
  /** For an undo: the point it restored; for a redo: the undo point it restored. */
  reverts: string | null;
}

/** The undo point a backup's labels describe, or null when it is not one. */
export function undoPointOf(b: { id: string; created_at: string; labels: readonly string[] }): UndoPoint | null {
  if (!b.labels.includes(UNDO_POINT_LABEL)) return null;
  let op: UndoOp | null = null;
  let reverts: string | null = null;
  for (const l of b.labels) {
    const [k, v] = [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)];
    if (k === 'undo-op' && (UNDO_OPS as readonly string[]).includes(v)) op = v as UndoOp;
    if (k === 'undoes' || k === 'redoes') reverts = v;
  }
  return op ? { id: b.id, created_at: b.created_at, op, reverts } : null;
}

const newestFirst = (points: readonly UndoPoint[]) =>
  [...points].sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1));

/**
 * What `undo` goes back to: the newest point taken before a run, restore or redo that no later
 * undo has gone back to already. Repeated undos walk further back.
 */
export function undoTarget(points: readonly UndoPoint[]): UndoPoint | null {
  const undone = new Set<string>();
  for (const p of newestFirst(points)) {
    if (p.op === 'undo') {
      if (p.reverts) undone.add(p.reverts);
      continue;
    }
    if (!undone.has(p.id)) return p;
  }
  return null;
}

/**
 * What `redo` goes back to: the newest point taken by an undo that no later redo has restored. A
 * run or restore after the undos ends the redo history, as in an editor.
 */
export function redoTarget(points: readonly UndoPoint[]): UndoPoint | null {
  const redone = new Set<string>();
  for (const p of newestFirst(points)) {
    if (p.op === 'run' || p.op === 'restore') return null;
    if (p.op === 'redo') {
      if (p.reverts) redone.add(p.reverts);
      continue;
    }
    if (!redone.has(p.id)) return p;
  }
  return null;
}
