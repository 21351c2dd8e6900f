// Pure tests for configuration: every value parser, the key table, evaluation (layering, case,
// multi-valued keys, unknown keys), the rules between keys, and the export text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as v from '../../src/core/config-values.js';
import { compileGlob, matchesAnyGlob } from '../../src/core/glob.js';
import { KEYS, findKey, fullName, suggestKey } from '../../src/core/config-keys.js';
import { evaluate, parseEntries, withLocal, type ConfigEntry } from '../../src/core/config-parse.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { entriesFromJson, toGitConfigText } from '../../src/core/config-file.js';
import { TEMPLATES, TEMPLATE_NAMES } from '../../src/core/config-templates.js';
import { BackupError } from '../../src/errors.js';

const H = 3_600_000;
const D = 24 * H;

test('durations: m h d w (and s), whole numbers only', () => {
  assert.is(v.parseDuration('90m'), 90 * 60_000);
  assert.is(v.parseDuration('36h'), 36 * H);
  assert.is(v.parseDuration('14d'), 14 * D);
  assert.is(v.parseDuration('2w'), 14 * D);
  assert.is(v.parseDuration(' 30s '), 30_000);
  assert.is(v.parseDuration('0d'), 0);
  for (const bad of ['', '14', 'd', '1.5d', '14D', '1y', '-1d', '14 d', '1mo']) assert.is(v.parseDuration(bad), null, bad);
  assert.is(v.formatDuration(14 * D), '2w');
  assert.is(v.formatDuration(36 * H), '36h');
});

test('sizes: binary units, plain bytes, none/0', () => {
  assert.is(v.parseSize('500M'), 500 * 1024 ** 2);
  assert.is(v.parseSize('2G'), 2 * 1024 ** 3);
  assert.is(v.parseSize('2g'), 2 * 1024 ** 3);
  assert.is(v.parseSize('1024K'), 1024 * 1024);
  assert.is(v.parseSize('1T'), 1024 ** 4);
  assert.is(v.parseSize('2GiB'), 2 * 1024 ** 3);
  assert.is(v.parseSize('500MB'), 500 * 1024 ** 2);
  assert.is(v.parseSize('1.5G'), 1.5 * 1024 ** 3);
  assert.is(v.parseSize('123456'), 123456);
  assert.is(v.parseSize('none'), null);
  assert.is(v.parseSize('NONE'), null);
  assert.is(v.parseSize('0'), null);
  for (const bad of ['', '12X', '-5M', 'M', '1.5', '5 MB extra', '1e9', '99999999999999999T']) assert.is(v.parseSize(bad), undefined, bad);
  assert.is(v.formatSize(500 * 1024 ** 2), '500M');
  assert.is(v.formatSize(1536 * 1024), '1536K');
  assert.is(v.formatSize(1000), '1000');
  assert.is(v.formatSize(null), 'none');
  for (const s of ['500M', '2G', '1536K', '1000', '3T']) assert.is(v.formatSize(v.parseSize(s)!), s);
});

test('percents: 85 or 85%, 0..100', () => {
  assert.is(v.parsePercent('85'), 85);
  assert.is(v.parsePercent('85%'), 85);
  assert.is(v.parsePercent(' 92.5 % '), 92.5);
  assert.is(v.parsePercent('0'), 0);
  assert.is(v.parsePercent('100%'), 100);
  for (const bad of ['101', '-1', 'x', '', '85%%', '1000']) assert.is(v.parsePercent(bad), null, bad);
});

test('ratios (confidence): 0..1', () => {
  assert.is(v.parseRatio('0.8'), 0.8);
  assert.is(v.parseRatio('1'), 1);
  assert.is(v.parseRatio('0'), 0);
  assert.is(v.parseRatio('.5'), 0.5);
  for (const bad of ['1.01', '-0.1', '80%', 'high', '', '0x1']) assert.is(v.parseRatio(bad), null, bad);
});

test('counts: whole numbers >= 0', () => {
  assert.is(v.parseCount('5'), 5);
  assert.is(v.parseCount('0'), 0);
  for (const bad of ['-1', '1.5', 'five', '', '0x10', '1e3']) assert.is(v.parseCount(bad), null, bad);
});

test('booleans as git reads them', () => {
  for (const t of ['true', 'TRUE', 'yes', 'on', '1']) assert.is(v.parseBool(t), true, t);
  for (const f of ['false', 'No', 'off', '0', '']) assert.is(v.parseBool(f), false, f);
  assert.is(v.parseBool(null), true, 'a key without = is true');
  for (const bad of ['2', 'maybe', 'y', 'tru']) assert.is(v.parseBool(bad), null, bad);
});

test('strategies, branches, paths, commands', () => {
  assert.is(v.parseStrategy('Aggressive'), 'aggressive');
  assert.is(v.parseStrategy('reckless'), null);
  assert.is(v.parseBranch('origin/main'), 'origin/main');
  assert.is(v.parseBranch('refs/heads/release-1.0'), 'refs/heads/release-1.0');
  assert.is(v.parseBranch(''), null);
  for (const bad of ['a b', 'a..b', '-x', 'x.lock', 'a:b', 'x/', 'a//b', '.hidden', 'a/.b', 'a@{1}', 'a~1']) assert.is(v.parseBranch(bad), undefined, bad);
  assert.is(v.parsePath('~/archive'), '~/archive');
  assert.is(v.parsePath(''), null);
  assert.is(v.parsePath('a\nb'), undefined);
  assert.is(v.parseCommand('  notify-send x '), 'notify-send x');
  assert.is(v.parseCommand(''), null);
});

test('globs: gitignore-like, names at any depth, anchored with a slash', () => {
  const m = (g: string, p: string) => compileGlob(g)!.test(p);
  assert.ok(m('*.pem', 'key.pem'));
  assert.ok(m('*.pem', 'deep/dir/key.pem'));
  assert.not.ok(m('*.pem', 'key.pem.txt'));
  assert.ok(m('.env', 'app/.env'));
  assert.ok(m('config/secrets/*', 'config/secrets/a.json'));
  assert.not.ok(m('config/secrets/*', 'other/config/secrets/a.json'), 'a slash anchors at the top');
  assert.ok(m('/credentials.json', 'credentials.json'));
  assert.not.ok(m('/credentials.json', 'sub/credentials.json'));
  assert.ok(m('secrets/**', 'secrets/a/b/c'));
  assert.ok(m('**/id_rsa', 'home/u/.ssh/id_rsa'));
  assert.ok(m('**/id_rsa', 'id_rsa'));
  assert.ok(m('a/**/b', 'a/b'));
  assert.ok(m('a/**/b', 'a/x/y/b'));
  assert.ok(m('key?.txt', 'key1.txt'));
  assert.not.ok(m('key?.txt', 'key/.txt'));
  assert.ok(m('[ab].txt', 'a.txt'));
  assert.not.ok(m('[!ab].txt', 'a.txt'));
  assert.ok(m('[!ab].txt', 'c.txt'));
  assert.ok(m('\\*.txt', '*.txt'));
  assert.not.ok(m('\\*.txt', 'x.txt'));
  assert.ok(m('secrets', 'secrets/inner/file'), 'a matching directory covers its content');
  assert.ok(m('a+b(c).txt', 'a+b(c).txt'), 'regex characters are literal');
  for (const bad of ['', '[ab', 'a/../b', '..', 'x\\', 'a**b', 'a\nb', '/']) assert.is(compileGlob(bad), null, JSON.stringify(bad));
  assert.is(v.parseGlob('[ab'), null);
  assert.ok(matchesAnyGlob('./x/key.pem', ['*.txt', '*.pem']));
  assert.not.ok(matchesAnyGlob('x/key.pem', ['[bad', '*.txt']));
});

const e = (key: string, value: string | null, scope = 'local'): ConfigEntry => ({ key, value, scope, origin: scope === 'local' ? 'file:.git/config' : `file:/${scope}` });

test('the key table covers design.md §Configuration exactly, plus alert.webhook (issue 10) and the backup remote\'s keys (issue 11)', () => {
  const names = KEYS.map(fullName).sort();
  const spec = ['integrationBranch', 'retention.created', 'retention.pending', 'retention.confirmed', 'retention.cleanable', 'retention.archived', 'keep.last', 'keep.daily', 'keep.weekly', 'autoCleanupConfidence', 'disk.warning', 'disk.critical', 'disk.emergency', 'disk.quota', 'disk.strategy', 'check.interval', 'archiveDir', 'sensitive', 'alert.command', 'alert.webhook', 'hooks.preRebase', 'remote', 'remote.interval', 'remote.timeout', 'remote.includeSensitive', 'copies', 'cloneId'].map((k) => `backup.${k}`).sort();
  assert.equal(names, spec);
});

test('every key renders its default so that it parses back to the default', () => {
  const ev = evaluate(KEYS.flatMap((k) => k.render(DEFAULT_CONFIG).filter((t) => t !== '' || k.kind === 'bool').map((t) => e(fullName(k).toLowerCase(), t))));
  assert.equal(ev.problems, []);
  assert.equal(ev.config, DEFAULT_CONFIG);
});

test('no entries: the defaults, untouched', () => {
  const ev = parseEntries([]);
  assert.equal(ev.config, DEFAULT_CONFIG);
  assert.is.not(ev.config, DEFAULT_CONFIG, 'a copy, so callers may change it');
});

test('keys are case-insensitive; git lowercases section and last part, the middle is matched too', () => {
  assert.is(findKey('backup.autocleanupconfidence')?.name, 'autoCleanupConfidence');
  assert.is(findKey('AUTOCLEANUPCONFIDENCE')?.name, 'autoCleanupConfidence');
  assert.is(findKey('backup.Retention.created')?.name, 'retention.created');
  assert.is(findKey('hooks.prerebase')?.name, 'hooks.preRebase');
  assert.is(findKey('backup.nope'), undefined);
  const ev = parseEntries([e('backup.autocleanupconfidence', '0.7'), e('backup.Retention.created', '3d'), e('backup.hooks.prerebase', 'on')]);
  assert.is(ev.config.autoCleanupConfidence, 0.7);
  assert.is(ev.config.retention.CREATED, 3 * D);
  assert.is(ev.config.hooks.preRebase, true);
});

test('the last value wins (git layering: system, global, local); multi-valued sensitive accumulates', () => {
  const ev = parseEntries([e('backup.keep.last', '9', 'global'), e('backup.keep.last', '2'), e('backup.sensitive', '*.pem', 'global'), e('backup.sensitive', '.env')]);
  assert.is(ev.config.keep.last, 2);
  assert.equal(ev.config.sensitive, ['*.pem', '.env']);
  const reset = parseEntries([e('backup.sensitive', '*.pem', 'global'), e('backup.sensitive', ''), e('backup.sensitive', '*.key')]);
  assert.equal(reset.config.sensitive, ['*.key'], 'an empty value clears the earlier ones');
});

test('an invalid value: exit 3 naming the key, the value and (outside local) the scope', () => {
  const cases: [string, string, RegExp][] = [
    ['backup.disk.quota', '12X', /^backup\.disk\.quota: "12X" is not a size; write e\.g\. 500M or 2G/],
    ['backup.retention.confirmed', '2 weeks', /^backup\.retention\.confirmed: "2 weeks" is not a duration/],
    ['backup.autocleanupconfidence', '80%', /^backup\.autoCleanupConfidence: "80%" is not a number from 0 to 1/],
    ['backup.hooks.prerebase', 'maybe', /^backup\.hooks\.preRebase: "maybe" is not a boolean/],
    ['backup.sensitive', '[oops', /^backup\.sensitive: "\[oops" is not a glob/],
  ];
  for (const [key, value, re] of cases) {
    try {
      parseEntries([e(key, value)]);
      assert.unreachable(key);
    } catch (err) {
      assert.instance(err, BackupError);
      assert.is((err as BackupError).exitCode, 3);
      assert.match((err as BackupError).message, re);
    }
  }
  assert.throws(() => parseEntries([e('backup.keep.last', 'x', 'global')]), /\(in the global config\)/);
  assert.throws(() => parseEntries([e('backup.disk.quota', null)]), /backup\.disk\.quota: has no value/);
});

test('disk thresholds must rise: warning <= critical <= emergency', () => {
  assert.throws(() => parseEntries([e('backup.disk.warning', '95')]), /backup\.disk\.warning: 95% is above backup\.disk\.critical \(90%\)/);
  assert.throws(() => parseEntries([e('backup.disk.emergency', '85')]), /backup\.disk\.critical: 90% is above backup\.disk\.emergency \(85%\)/);
  const ok = parseEntries([e('backup.disk.warning', '90'), e('backup.disk.critical', '90%'), e('backup.disk.emergency', '90')]);
  assert.equal([ok.config.disk.warning, ok.config.disk.critical, ok.config.disk.emergency], [90, 90, 90]);
});

test('unknown keys are collected with the closest known key, never fatal', () => {
  const ev = parseEntries([e('backup.retension.created', '1d'), e('backup.zzzzzzzz', '1')]);
  assert.is(ev.unknown.length, 2);
  assert.is(ev.unknown[0]!.suggestion, 'backup.retention.created');
  assert.is(ev.unknown[1]!.suggestion, null);
  assert.is(ev.config.retention.CREATED, DEFAULT_CONFIG.retention.CREATED, 'a typo changes nothing');
  assert.is(suggestKey('backup.autocleanupconfidense'), 'backup.autoCleanupConfidence');
  assert.is(suggestKey('disk.qouta'), 'backup.disk.quota');
});

test('withLocal: replaces local values, keeps the layering', () => {
  const k = findKey('keep.last')!;
  const entries = [e('backup.keep.last', '9', 'global'), e('backup.keep.last', '4'), e('backup.keep.last', '1', 'command')];
  const next = withLocal(entries, k, ['7']);
  assert.equal(next.map((x) => `${x.scope}=${x.value}`), ['global=9', 'local=7', 'command=1']);
  assert.is(parseEntries(next).config.keep.last, 1, 'the command line still wins');
  assert.equal(withLocal(entries, k, []).map((x) => x.scope), ['global', 'command']);
});

test('export text: git-config syntax with quoting; JSON export read back', () => {
  const text = toGitConfigText([['backup.retention.created', '3d'], ['backup.alert.command', 'say "hi"; echo \\ done # x'], ['backup.disk.quota', '2G']]);
  assert.match(text, /\[backup "retention"\]\n\tcreated = "3d"/);
  assert.match(text, /\[backup "alert"\]\n\tcommand = /);
  assert.match(toGitConfigText([['backup.autoCleanupConfidence', '0.5']]), /\[backup\]\n\tautoCleanupConfidence = "0.5"/);
  assert.match(text, /command = "say \\"hi\\"; echo \\\\ done # x"/);
  const entries = entriesFromJson('{"backup.keep.last":"3","backup.sensitive":["*.pem",".env"]}', 'f.json');
  assert.equal(entries.map((x) => [x.key, x.value]), [['backup.keep.last', '3'], ['backup.sensitive', '*.pem'], ['backup.sensitive', '.env']]);
  assert.throws(() => entriesFromJson('[1]', 'f.json'), /JSON object/);
  assert.throws(() => entriesFromJson('{"backup.keep.last":{"a":1}}', 'f.json'), /strings/);
});

test('templates name only known keys with valid values, and differ as promised', () => {
  for (const name of TEMPLATE_NAMES) {
    const entries = Object.entries(TEMPLATES[name].values).map(([k, val]) => {
      assert.ok(findKey(k), `${name}: ${k}`);
      return e(`backup.${k}`, val);
    });
    parseEntries(entries);
  }
  const cfg = (n: keyof typeof TEMPLATES) => parseEntries(Object.entries(TEMPLATES[n].values).map(([k, val]) => e(`backup.${k}`, val))).config;
  assert.is(cfg('conservative').autoCleanupConfidence, 0.9);
  assert.is(cfg('conservative').disk.strategy, 'conservative');
  assert.is(cfg('aggressive').autoCleanupConfidence, 0.6);
  assert.is(cfg('aggressive').disk.strategy, 'aggressive');
  assert.ok(cfg('aggressive').retention.CONFIRMED < cfg('conservative').retention.CONFIRMED);
  assert.ok(cfg('development').retention.CONFIRMED < cfg('aggressive').retention.CONFIRMED);
  assert.ok(cfg('development').check.interval < DEFAULT_CONFIG.check.interval);
  assert.ok(cfg('aggressive').retention.PENDING >= 30 * D, 'un-integrated work is never hurried');
});

test.run();
