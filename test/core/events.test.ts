import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  completeLines, escapeField, formatEventLine, parseEventLine, parseRewritePairs, unescapeField, type HookEvent,
} from '../../src/core/events.js';
import { followRewrites, remapPendingCommits, rewriteMap } from '../../src/core/rewrite.js';
import { newRecord } from '../../src/core/record.js';

const A = 'a'.repeat(40), B = 'b'.repeat(40), C = 'c'.repeat(40), D = 'd'.repeat(40);

const ev = (over: Partial<HookEvent> = {}): HookEvent => ({
  time: 1795293857, hook: 'post-commit', head: A, branch: 'main', data: { kind: 'none' }, args: [], ...over,
});

test('escape round trip for backslashes, tabs, newlines and CR', () => {
  for (const s of ['', 'plain', 'a\\b', 'tab\there', 'nl\nthere', '\\n literal', 'cr\r', '\\\\\t\n\\t', 'ünï cødé']) {
    const e = escapeField(s);
    assert.not.match(e, /[\t\n]/);
    assert.is(unescapeField(e), s);
  }
});

test('event line round trip: every hook, inline and file stdin, odd args and branch names', () => {
  const cases: HookEvent[] = [
    ev(),
    ev({ head: null, branch: null }),
    ev({ branch: 'feature/ü-x.y@{z}#1' }),
    ev({ hook: 'post-merge', args: ['0'] }),
    ev({ hook: 'post-rewrite', args: ['amend'], data: { kind: 'inline', text: `${A} ${B}\n${B} ${C}` } }),
    ev({ hook: 'pre-push', args: ['origin', 'ssh://h/p a\tth\\x'], data: { kind: 'inline', text: '' } }),
    ev({ hook: 'pre-push', args: ['o', 'u'], data: { kind: 'file', name: 'events.1795293857.4242.stdin' } }),
    ev({ hook: 'pre-rebase', args: ['main', ''] }),
  ];
  for (const e of cases) {
    const line = formatEventLine(e);
    assert.ok(line.endsWith('\n'));
    assert.is(line.indexOf('\n'), line.length - 1, 'one line');
    const p = parseEventLine(line.slice(0, -1));
    assert.ok(p.ok, JSON.stringify(p));
    if (p.ok) assert.equal(p.event, e);
  }
});

test('parses exactly what the sh hook writes', () => {
  const p = parseEventLine(`gb1\t1795293857\tpost-rewrite\t${B}\tmain\t=${A} ${B}\\n${C} ${D}\tamend`);
  assert.ok(p.ok);
  if (!p.ok) return;
  assert.equal(p.event.args, ['amend']);
  assert.equal(parseRewritePairs(p.event.data.kind === 'inline' ? p.event.data.text : ''), [[A, B], [C, D]]);
});

test('malformed lines are reasons, never throws', () => {
  for (const line of ['', 'gb2\t1\tpost-commit\t\t\t-', 'gb1\tx\tpost-commit\t\t\t-', 'gb1\t1\tpre-commit\t\t\t-', 'gb1\t1\tpost-commit\tnotasha\t\t-',
    'gb1\t1\tpost-commit', 'gb1\t1\tpost-commit\t\t\t?', 'gb1\t1\tpre-push\t\t\t@../../etc/passwd', 'gb1\t1\tpre-push\t\t\t@/abs.stdin']) {
    const p = parseEventLine(line);
    assert.is(p.ok, false, line);
  }
});

test('completeLines leaves a half-written line for later', () => {
  const one = formatEventLine(ev());
  assert.equal(completeLines(Buffer.from('')), { lines: [], consumed: 0 });
  assert.equal(completeLines(Buffer.from('gb1\t17')), { lines: [], consumed: 0 });
  const r = completeLines(Buffer.from(one + one + 'gb1\t17'));
  assert.is(r.lines.length, 2);
  assert.is(r.consumed, Buffer.byteLength(one) * 2);
  const u = formatEventLine(ev({ branch: 'ü' }));
  assert.is(completeLines(Buffer.from(u)).consumed, Buffer.byteLength(u), 'bytes, not characters');
});

test('rewrite pairs: extra fields, blank lines, junk ignored', () => {
  assert.equal(parseRewritePairs(`${A} ${B} extra\n\njunk line\n${C}\t${D}\n`), [[A, B], [C, D]]);
});

test('followRewrites follows chains and stops on cycles', () => {
  const m = rewriteMap([[A, B], [B, C], [D, D]]);
  assert.is(followRewrites(m, A), C);
  assert.is(followRewrites(m, B), C);
  assert.is(followRewrites(m, D), D);
  assert.is(followRewrites(rewriteMap([[A, B], [B, A]]), A), B);
});

test('remapPendingCommits moves live backups only, along chains', () => {
  const mk = (id: string, pending: string | null, state: 'CREATED' | 'PENDING' | 'DELETED') => {
    const r = newRecord({
      id, created_at: new Date('2026-01-01T00:00:00Z'), message: '', branch: 'main', base: A, snapshot: D, paths: [], files: 0, bytes: 0,
      include_ignored: false, worktree: '/w', pinned: false, labels: [], trigger: 'USER',
    });
    r.pending_commit = pending;
    r.state = state;
    return r;
  };
  const backups = [mk('p1', A, 'PENDING'), mk('p2', C, 'PENDING'), mk('c1', null, 'CREATED'), mk('d1', A, 'DELETED')];
  const moved = remapPendingCommits(backups, rewriteMap([[A, B], [B, C]]), '2026-01-02T00:00:00.000Z');
  assert.equal(moved, [{ id: 'p1', from: A, to: C }]);
  assert.is(backups[0]!.pending_commit, C);
  assert.is(backups[0]!.updated_at, '2026-01-02T00:00:00.000Z');
  assert.is(backups[3]!.pending_commit, A, 'DELETED untouched');
  assert.equal(remapPendingCommits(backups, rewriteMap([]), 'x'), []);
});

test('the fork-free hook path leaves the time empty: it parses as null and round-trips', () => {
  const line = ['gb1', '', 'post-commit', A, 'main', '-'].join('\t');
  const p = parseEventLine(line);
  assert.ok(p.ok);
  if (p.ok) {
    assert.is(p.event.time, null);
    assert.is(formatEventLine(p.event), line + '\n');
  }
  assert.not.ok(parseEventLine(['gb1', 'x1', 'post-commit', A, 'main', '-'].join('\t')).ok);
});

test.run();
