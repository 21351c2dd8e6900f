// status --prometheus and --prometheus-file (issue 10), end to end on a real repository: a drain run
// by a real commit's hook, a user transition and a tick show up in the metrics; the output is read by
// a strict reader of the exposition format (test/helpers/prometheus.ts) and by the real
// `promtool check metrics` (test/helpers/promtool.ts); the file is replaced atomically, readable by node_exporter, no temp file left; bad input
// changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';
import { parseExposition } from '../helpers/prometheus.js';
import { checkMetrics } from '../helpers/promtool.js';

test('the numbers of a real store, in the format; written atomically for the textfile collector', () => {
  const repo = tempRepo();
  install(repo);
  repo.write('a.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create']);
  repo.write('b.txt', 'more\n');
  repo.json(['create']);
  repo.git(['add', 'a.txt']);
  repo.git(['commit', '-q', '-m', 'a'], { env: withShim() }); // post-commit: a drain in the foreground (sync mode)
  assert.is(repo.cli(['cleanup', id]).code, 0); // USER: CREATED -> CLEANABLE
  assert.is(repo.cli(['tick']).code, 0);
  const r = repo.cli(['status', '--prometheus']);
  assert.is(r.code, 0, r.stderr);
  const m = parseExposition(r.stdout);
  assert.is(m.get('git_backup_backups{state="CLEANABLE"}'), 1);
  assert.is(m.get('git_backup_backups{state="CREATED"}'), 1);
  assert.ok(m.get('git_backup_protected_bytes{state="CLEANABLE"}')! > 0);
  assert.is(m.get('git_backup_transitions_total{result="applied",trigger="USER"}'), 1, 'the cleanup');
  assert.is(m.get('git_backup_last_run_success{job="drain"}'), 1, 'the commit\'s drain');
  assert.is(m.get('git_backup_last_run_success{job="tick"}'), 1);
  const now = Date.now() / 1000;
  for (const job of ['drain', 'tick']) assert.ok(Math.abs(m.get(`git_backup_last_run_timestamp_seconds{job="${job}"}`)! - now) < 120, `${job}: when`);
  assert.is(m.get('git_backup_hook_events_waiting{}'), 0);
  const checked = checkMetrics(r.stdout);
  assert.is(checked.code, 0, `promtool check metrics: ${checked.output}`);

  // The file: the same text, 0644, replacing what was there, nothing else left in the directory.
  const dir = scratchDir('gb-textfile-');
  const file = join(dir, 'git_backup.prom');
  writeFileSync(file, 'old\n');
  const w = repo.cli(['status', `--prometheus-file=${file}`]);
  assert.is(w.code, 0, w.stderr);
  assert.is(w.stdout, '', 'prints nothing (cron)');
  assert.is(readFileSync(file, 'utf8'), r.stdout);
  assert.is(statSync(file).mode & 0o777, 0o644, 'readable by the exporter\'s user');
  assert.equal(readdirSync(dir), ['git_backup.prom'], 'no temp file left');

  // Bad input: one line, the right exit code, the file untouched.
  const bad: [string[], number][] = [
    [['status', '--prometheus', '--json'], 2],
    [['status', '--prometheus-file', join(dir, 'missing', 'x.prom')], 4],
    [['status', '--prometheus-file', dir], 2],
  ];
  for (const [args, code] of bad) {
    const b = repo.cli(args);
    assert.is(b.code, code, `${args.join(' ')}: ${b.stderr}`);
    assert.is(b.stderr.trim().split('\n').length, 1, 'one line');
    assert.is(b.stdout, '');
  }
  assert.is(readFileSync(file, 'utf8'), r.stdout, 'unchanged');
  assert.not.ok(existsSync(join(dir, 'missing')));
});

test('promtool is the real one: it refuses a broken exposition and a misnamed counter', () => {
  assert.is.not(checkMetrics('git_backup_backups{state="CREATED" 1\n').code, 0, 'a broken line');
  const lint = checkMetrics('# HELP git_backup_moves Moves.\n# TYPE git_backup_moves counter\ngit_backup_moves 1\n');
  assert.is.not(lint.code, 0, 'a counter without _total');
  assert.match(lint.output, /_total/);
});

test.run();
