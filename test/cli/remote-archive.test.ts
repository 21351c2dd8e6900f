// The backup remote and ARCHIVED backups (issue 11, docs/remote.md): the archive goes as a commit
// holding it; with the local archive gone, verify says "not fetched" (exit 4), restore names the
// remote, fetch writes it back (sha256 checked) and restore is byte-exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { BINARY, setup, type PushReport, type Rec } from '../helpers/remote.js';

test('ARCHIVED: the archive goes as a commit; after the local archive is gone, verify says "not fetched" (exit 4) and fetch brings it back; restore is byte-exact', () => {
  const { a } = setup();
  a.write('notes.txt', 'only in the archive\n');
  a.write('data.bin', BINARY);
  const id = a.json<Rec>(['create', '-m', 'to archive']).id;
  a.json(['cleanup', id]);
  const [r] = a.json<Rec[]>(['archive', id]);
  assert.is(r!.state, 'ARCHIVED');
  const pushed = a.json<PushReport>(['push']);
  assert.is(pushed.sent, 1, JSON.stringify(pushed));
  const copy = a.json<Rec>(['show', id]).copies[0]!;
  assert.is(copy.kind, 'archive');
  assert.is(a.git(['ls-remote', 'backup', `refs/backup-archives/${id}`]).split('\t')[0], copy.oid);

  rmSync(r!.archive!.path);
  const away = a.cli(['verify', id]);
  assert.is(away.code, 4, away.stdout + away.stderr);
  assert.match(away.stdout, /AWAY .*git backup fetch backup/);
  const refused = a.cli(['restore', id, '--to', scratchDir('gb-no-')]);
  assert.is(refused.code, 4);
  assert.match(refused.stderr, /archive is not in this clone.*git backup fetch backup/);

  const back = a.json<{ archives: number }>(['fetch']);
  assert.is(back.archives, 1);
  assert.ok(existsSync(r!.archive!.path));
  assert.is(a.cli(['verify', id]).code, 0);
  const to = scratchDir('gb-restored-');
  assert.is(a.cli(['restore', id, '--to', to]).code, 0);
  assert.is(readFileSync(join(to, 'notes.txt'), 'utf8'), 'only in the archive\n');
  assert.ok(readFileSync(join(to, 'data.bin')).equals(BINARY));
});

test.run();
