// Archives with real git: round trip byte-exact, verify catches a flipped byte, restore refuses a
// damaged archive, archiveDir elsewhere, lifecycle rules, rebuild from notes keeps the archive.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';

interface Archive { path: string; sha256: string; bytes: number; files: number; manifest_sha256: string }
interface Rec { id: string; state: string; snapshot: string; archive: Archive | null }

const LONG = `deep/${'d'.repeat(120)}/${'n'.repeat(110)}.txt`;

/** A repository with every kind of content: changed, exec, symlink, untracked, ignored, binary, long path. */
function richRepo(): TestRepo {
  return fromTemplate('archive-rich', buildRich);
}

function buildRich(repo: TestRepo): void {
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('README.md', '# test\n');
  repo.commitAll('initial');
  repo.write('.gitignore', 'ignored.log\n');
  repo.write('run.sh', '#!/bin/sh\necho hi\n', 0o755);
  repo.write('bin.dat', Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]));
  repo.git(['add', '-A']);
  repo.git(['-c', 'core.symlinks=true', 'commit', '-q', '-m', 'base']);
  repo.write('README.md', '# changed\n');
  repo.write('untracked dir/ü file.txt', 'untracked ü\n');
  repo.write('ignored.log', 'ignored content\n');
  repo.write(LONG, 'long path\n');
  repo.git(['update-index', '--chmod=+x', 'run.sh']);
}

/** An untracked symlink: it must come back as a link, never followed. */
function symlink(repo: TestRepo): void {
  symlinkSync('README.md', join(repo.dir, 'link'));
}

const FILES = ['README.md', 'run.sh', 'bin.dat', 'link', 'untracked dir/ü file.txt', 'ignored.log', LONG];

function snapshotOf(repo: TestRepo): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of FILES) {
    const p = join(repo.dir, f);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    out.set(f, st.isSymbolicLink() ? `link:${readlinkSync(p)}` : `${st.mode & 0o100 ? 'x' : '-'}:${readFileSync(p).toString('base64')}`);
  }
  return out;
}

function archived(repo: TestRepo, extra: string[] = []): Rec {
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'rich', ...extra]).id;
  repo.json(['cleanup', id]);
  const [r] = repo.json<Rec[]>(['archive', id]);
  return r!;
}

/**
 * richRepo with one CLEANABLE backup of it (create, then cleanup, through the CLI), built once and
 * copied (fromTemplate: the copy's store is the template's); archives are
 * made in the copy, so their paths are the copy's.
 */
let cleanableId: string | undefined;
function richCleanable(): { repo: TestRepo; id: string } {
  const repo = fromTemplate('archive-rich-cleanable', (t) => {
    buildRich(t);
    cleanableId = t.json<Rec>(['create', '--allow-empty', '-m', 'rich']).id;
    t.json(['cleanup', cleanableId]);
  }, { withStore: true });
  return { repo, id: cleanableId! };
}

/** richRepo archived: the template's CLEANABLE backup archived in the copy. */
function richArchived(): { repo: TestRepo; r: Rec } {
  const { repo, id } = richCleanable();
  const [r] = repo.json<Rec[]>(['archive', id]);
  return { repo, r: r! };
}

test('round trip: archive, wipe everything, restore is byte-exact (content, exec bit, symlink, untracked, ignored, long path)', () => {
  const repo = richRepo();
  symlink(repo);
  const before = snapshotOf(repo);
  const r = archived(repo, ['--include-ignored']);
  assert.is(r.state, 'ARCHIVED');
  assert.ok(r.archive && existsSync(r.archive.path));
  assert.match(r.archive.path, new RegExp(`/\\.git/backup/archive/\\d{4}/\\d{2}/${r.id}\\.tar\\.gz$`));
  assert.is(r.archive.bytes, statSync(r.archive.path).size);
  assert.is(statSync(r.archive.path).mode & 0o777, 0o600);
  assert.is(statSync(join(repo.dir, '.git/backup/archive')).mode & 0o777, 0o700);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '', 'the ref is gone once archived');
  for (const f of FILES) rmSync(join(repo.dir, f), { force: true });
  const res = repo.cli(['restore', r.id]);
  assert.is(res.code, 0, res.stderr);
  assert.equal(snapshotOf(repo), before);
  assert.ok(before.has('ignored.log') && before.get('link') === 'link:README.md' && before.get('run.sh')!.startsWith('x:'));
  // diff from the archive: identical working tree, then one change shows up.
  assert.is(repo.cli(['diff', r.id]).stdout, '');
  repo.write('README.md', '# edited after\n');
  const d = repo.json<{ files: { path: string; status: string }[] }>(['diff', r.id]);
  assert.equal(d.files.map((f) => f.path), ['README.md']);
  // Restore over a changed file takes the safety backup first.
  const over = repo.json<{ safety_backup: string | null }>(['restore', r.id]);
  assert.ok(over.safety_backup);
  assert.is(repo.read('README.md'), '# changed\n');
});

test('without --include-ignored the ignored file is not archived; verify passes; show and list carry the archive', () => {
  const { repo, r } = richArchived();
  rmSync(join(repo.dir, 'ignored.log'));
  const v = repo.cli(['verify', '--json']);
  assert.is(v.code, 0, v.stderr);
  const report = JSON.parse(v.stdout) as { ok: boolean; checked: number };
  assert.is(report.ok, true);
  repo.json(['restore', r.id]);
  assert.not.ok(existsSync(join(repo.dir, 'ignored.log')));
  const shown = repo.json<Rec>(['show', r.id]);
  assert.equal(shown.archive, r.archive);
  assert.match(repo.cli(['show', r.id]).stdout, new RegExp(`archive: +${r.archive!.path.replace(/[.]/g, '\\.')} `));
});

test('a flipped byte is caught by verify (exit 3) and by restore (exit 3, nothing written)', () => {
  const { repo, r } = richArchived();
  const buf = readFileSync(r.archive!.path);
  buf[Math.floor(buf.length / 2)]! ^= 0x01;
  writeFileSync(r.archive!.path, buf);
  const v = repo.cli(['verify']);
  assert.is(v.code, 3);
  assert.match(v.stdout, /FAIL/);
  assert.is(v.stderr.trim().split('\n').length, 1);
  rmSync(join(repo.dir, 'README.md'));
  repo.write('run.sh', 'other\n');
  const res = repo.cli(['restore', r.id]);
  assert.is(res.code, 3);
  assert.match(res.stderr, /failed verification.*nothing was written/);
  assert.not.ok(existsSync(join(repo.dir, 'README.md')));
  assert.is(repo.read('run.sh'), 'other\n');
  assert.is(repo.cli(['diff', r.id]).code, 3);
  // A damaged manifest is caught too.
  const { repo: repo2, r: r2 } = richArchived();
  const m = r2.archive!.path.replace(/\.tar\.gz$/, '.manifest.json');
  writeFileSync(m, readFileSync(m, 'utf8').replace('"100644"', '"100755"'));
  assert.is(repo2.cli(['verify', r2.id]).code, 3);
});

test('backup.archiveDir elsewhere (relative to the worktree top or absolute): archive lands there, round trip works', () => {
  const { repo, id } = richCleanable();
  const elsewhere = scratchDir('gb-archdir-');
  repo.git(['config', 'backup.archiveDir', join(elsewhere, 'store')]);
  const before = snapshotOf(repo);
  const [r] = repo.json<Rec[]>(['archive', id]);
  assert.ok(r!.archive!.path.startsWith(join(elsewhere, 'store') + '/'));
  assert.is(statSync(join(elsewhere, 'store')).mode & 0o777, 0o700);
  assert.not.ok(existsSync(join(repo.dir, '.git/backup/archive')));
  for (const f of FILES) rmSync(join(repo.dir, f), { force: true });
  repo.json(['restore', r!.id]);
  const after = snapshotOf(repo);
  before.delete('ignored.log');
  after.delete('ignored.log');
  assert.equal(after, before);
});

test('lifecycle: CREATED needs --force (exit 3, nothing written); an ARCHIVED backup only goes to DELETED, even forced', () => {
  const repo = richRepo();
  const id = repo.json<Rec>(['create', '--allow-empty']).id;
  const res = repo.cli(['archive', id]);
  assert.is(res.code, 3);
  assert.match(res.stderr, /--force/);
  assert.not.ok(existsSync(join(repo.dir, '.git/backup/archive')), 'no archive written for a refused move');
  assert.is(repo.git(['for-each-ref', '--format=%(refname)', 'refs/backups/']), `refs/backups/${id}`);
  const [forced] = repo.json<Rec[]>(['archive', id, '--force']);
  assert.is(forced!.state, 'ARCHIVED');
  const back = repo.cli(['transition', id, 'CLEANABLE', '--force']);
  assert.is(back.code, 3);
  assert.match(back.stderr, /only be DELETED/);
  // --dry-run writes nothing.
  const id2 = repo.json<Rec>(['create', '--allow-empty']).id;
  repo.json(['cleanup', id2]);
  assert.is(repo.cli(['archive', id2, '--dry-run']).code, 0);
  assert.is(repo.json<Rec>(['show', id2]).state, 'CLEANABLE');
  assert.is(readdirSync(join(repo.dir, '.git/backup/archive'), { recursive: true }).filter((n) => String(n).includes(id2)).length, 0);
});

test('recover --rebuild from notes keeps the archive info, and restore still works after it', () => {
  const { repo, r } = richArchived();
  rmSync(join(repo.dir, '.git/backup/db.json'));
  rmSync(join(repo.dir, '.git/backup/db.json.prev'));
  repo.json(['recover', '--rebuild']);
  const rebuilt = repo.json<Rec>(['show', r.id]);
  assert.is(rebuilt.state, 'ARCHIVED');
  assert.equal(rebuilt.archive, r.archive);
  rmSync(join(repo.dir, 'README.md'));
  repo.json(['restore', r.id]);
  assert.is(repo.read('README.md'), '# changed\n');
});

test('export-ignore and export-subst in .gitattributes do not leave files out of an archive or rewrite them', () => {
  const repo = tempRepo();
  repo.write('.gitattributes', 'secret.txt export-ignore\nversion.txt export-subst\n');
  repo.write('secret.txt', 'kept\n');
  repo.write('version.txt', '$Format:%H$\n');
  repo.commitAll('attrs');
  repo.write('secret.txt', 'kept, changed\n');
  const r = archived(repo);
  rmSync(join(repo.dir, 'secret.txt'));
  rmSync(join(repo.dir, 'version.txt'));
  repo.json(['restore', r.id]);
  assert.is(repo.read('secret.txt'), 'kept, changed\n');
  assert.is(repo.read('version.txt'), '$Format:%H$\n');
  assert.equal(readdirSync(join(repo.dir, '.git/backup/tmp')), [], 'the private archive repository is gone');
});

test('bad input to archive, verify and gc: one line on stderr, the SPEC exit code, nothing changed', () => {
  const { repo, id } = richCleanable();
  const db = () => readFileSync(join(repo.dir, '.git/backup/db.json'), 'utf8');
  const before = db();
  for (const [args, code] of [
    [['archive', '../etc'], 2],
    [['archive', '20991231-000000-ffff'], 4],
    [['archive', id, '20991231-000000-ffff'], 4],
    [['archive'], 2],
    [['verify', 'x\ny'], 2],
    [['gc', 'extra'], 2],
  ] as [string[], number][]) {
    const r = repo.cli(args);
    assert.is(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.is(db(), before);
  assert.not.ok(existsSync(join(repo.dir, '.git/backup/archive')));
});

test('archive, verify and gc have --help', () => {
  const repo = tempRepo();
  for (const c of ['archive', 'verify', 'gc']) {
    const h = repo.cli([c, '--help']);
    assert.is(h.code, 0);
    assert.match(h.stdout, new RegExp(`git backup ${c}`));
  }
});

test.run();
