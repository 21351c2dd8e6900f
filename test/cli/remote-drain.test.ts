// The automatic push (issue 11, docs/remote.md): the drain after a commit pushes to backup.remote at
// most once per backup.remote.interval. With the remote down the commit still succeeds, `status`
// says the push failed and will be retried, and a later drain (an interval on) catches up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { install, withShim } from '../helpers/hooks.js';
import { setup, type Rec } from '../helpers/remote.js';

test('drain pushes: remote down → commit unaffected, status reports it; an interval later the next commit\'s drain pushes and records the copy', () => {
  const { a, store } = setup();
  install(a);
  a.git(['config', 'backup.remote.interval', '10m']);
  a.git(['remote', 'set-url', 'backup', 'git://127.0.0.1:1/down.git']);
  a.write('wip.txt', 'work\n');
  const id = a.json<Rec>(['create', '-m', 'wip']).id;
  const t0 = Date.now();
  const at = (min: number) => withShim({ GIT_BACKUP_NOW: new Date(t0 + min * 60_000).toISOString() });

  a.write('other.txt', 'committed\n');
  a.git(['add', 'other.txt'], { env: at(0) });
  a.git(['commit', '-q', '-m', 'one'], { env: at(0) }); // throws if the commit failed
  const down = a.cli(['status'], { env: at(0) });
  assert.match(down.stdout, /last push to backup failed at .*127\.0\.0\.1.*will retry/);
  assert.is(store.git(['for-each-ref', 'refs/backups/']), '');

  a.git(['remote', 'set-url', 'backup', store.dir]);
  a.write('other.txt', 'committed again\n');
  a.git(['commit', '-q', '-am', 'two'], { env: at(5) });
  assert.is(store.git(['for-each-ref', 'refs/backups/']), '', 'within the interval: no push');

  a.git(['commit', '-q', '--allow-empty', '-m', 'three'], { env: at(11) });
  assert.match(store.git(['for-each-ref', 'refs/backups/']), new RegExp(`refs/backups/${id}`), 'an interval later the drain pushed');
  assert.match(a.cli(['status'], { env: at(11) }).stdout, /last push to backup: ok/);
  assert.is(a.json<Rec>(['show', id]).copies.length, 1);
});

test.run();
