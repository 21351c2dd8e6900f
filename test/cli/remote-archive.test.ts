// The backup remote and ARCHIVED backups (issue 11, docs/remote.md): the archive goes as a commit
// holding it; with the local archive gone, verify says "not fetched" (exit 4), fetch writes it back
// (sha256 checked); gone again, restore fetches it itself and is byte-exact; with the remote gone
// too, restore names where the copy was (exit 4).
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
  const back = a.json<{ archives: number }>(['fetch']);
  assert.is(back.archives, 1);
  assert.ok(existsSync(r!.archive!.path));
  assert.is(a.cli(['verify', id]).code, 0);

  // Gone again: restore fetches exactly that archive (sha256 checked) and is byte-exact.
  rmSync(r!.archive!.path);
  const to = scratchDir('gb-restored-');
  const restored = a.cli(['restore', id, '--to', to]);
  assert.is(restored.code, 0, restored.stderr);
  assert.match(restored.stderr, new RegExp(`fetched the content of ${id} from backup`));
  assert.is(readFileSync(join(to, 'notes.txt'), 'utf8'), 'only in the archive\n');
  assert.ok(readFileSync(join(to, 'data.bin')).equals(BINARY));

  // The remote gone too: restore refuses in one line, exit 4, naming where the copy was.
  rmSync(r!.archive!.path);
  a.git(['remote', 'set-url', 'backup', join(to, 'no-such-remote.git')]);
  const refused = a.cli(['restore', id, '--to', scratchDir('gb-no-')]);
  assert.is(refused.code, 4);
  assert.match(refused.stderr, /^git backup: .*archive is not in this clone.*git backup fetch backup\n$/);
});

test.run();
