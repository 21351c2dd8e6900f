// When our commits may be written without `git commit-tree` (src/core/own-commits.ts): only where
// git's own answer is certain from the configuration and the environment.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitText, keptAsIs, ownCommits } from '../../src/core/own-commits.js';
import type { ConfigEntry } from '../../src/core/config-parse.js';

const entry = (key: string, value: string | null, scope = 'local'): ConfigEntry => ({ key, value, scope, origin: 'file:.git/config' });
const user = [entry('user.name', 'Ann Author', 'global'), entry('user.email', 'ann@example.com', 'global')];

test('the identity git would take: variables before role keys before user.*, the last value of a key wins', () => {
  assert.equal(ownCommits(user, {}), { author: { name: 'Ann Author', email: 'ann@example.com' }, committer: { name: 'Ann Author', email: 'ann@example.com' } });
  const local = [...user, entry('user.name', 'Ann Local')];
  assert.is(ownCommits(local, {})?.author.name, 'Ann Local', 'a later scope wins');
  const roles = [...user, entry('author.name', 'Role Author'), entry('committer.email', 'bot@example.com')];
  assert.equal(ownCommits(roles, {}), { author: { name: 'Role Author', email: 'ann@example.com' }, committer: { name: 'Ann Author', email: 'bot@example.com' } });
  const env = { GIT_AUTHOR_NAME: 'Env Author', GIT_COMMITTER_EMAIL: 'env@example.com' };
  assert.equal(ownCommits(roles, env), { author: { name: 'Env Author', email: 'ann@example.com' }, committer: { name: 'Ann Author', email: 'env@example.com' } });
  assert.equal(ownCommits([entry('user.name', 'Ann')], { EMAIL: 'from-env@example.com' })?.author, { name: 'Ann', email: 'from-env@example.com' }, 'EMAIL is git\'s last word for an address');
});

test('null (git decides) where git would derive, clean or refuse an identity', () => {
  assert.is(ownCommits([], {}), null, 'no name: git would take the passwd entry');
  assert.is(ownCommits([entry('user.name', 'Ann')], {}), null, 'no address: git would make one from the host');
  for (const name of [' Ann', 'Ann.', 'Ann <x>', 'Ann\nB', '', '"Ann"', 'Ann\uFFFD']) {
    assert.is(ownCommits([entry('user.name', name), entry('user.email', 'a@b')], {}), null, JSON.stringify(name));
  }
  assert.is(ownCommits([entry('user.name', null), entry('user.email', 'a@b')], {}), null, 'a key without a value');
  assert.is(ownCommits(user, { GIT_AUTHOR_NAME: '' }), null, 'an empty variable: git refuses, and says so');
  const onlyConfig = [entry('user.name', 'Ann'), entry('user.useconfigonly', 'true')];
  assert.is(ownCommits(onlyConfig, { EMAIL: 'env@example.com' }), null, 'user.useConfigOnly: git refuses an address from EMAIL');
  assert.is(ownCommits([entry('user.name', 'Ann'), entry('user.useconfigonly', null)], { EMAIL: 'env@example.com' }), null, 'a bare key is true');
  assert.ok(ownCommits([...onlyConfig, entry('user.email', 'a@b')], { EMAIL: 'env@example.com' }), 'an address configured: git takes it');
  assert.ok(ownCommits(onlyConfig, { GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_EMAIL: 'c@d' }), 'or given by the variables');
  assert.ok(ownCommits([entry('user.name', 'Ann'), entry('user.useconfigonly', 'false')], { EMAIL: 'env@example.com' }), 'false: EMAIL as usual');
});

test('null where the object store is not the plain one', () => {
  for (const [key, value] of [['core.sharedrepository', 'group'], ['core.fsync', 'objects'], ['core.fsyncobjectfiles', 'true'], ['core.fsyncmethod', 'batch'], ['extensions.objectformat', 'sha256'], ['i18n.commitencoding', 'ISO-8859-1']] as const) {
    assert.is(ownCommits([...user, entry(key, value)], {}), null, key);
  }
  assert.ok(ownCommits([...user, entry('extensions.objectformat', 'sha1'), entry('i18n.commitencoding', 'UTF-8')], {}), 'the defaults written out');
  for (const v of ['GIT_OBJECT_DIRECTORY', 'GIT_QUARANTINE_PATH', 'GIT_ALTERNATE_OBJECT_DIRECTORIES']) assert.is(ownCommits(user, { [v]: '/x' }), null, v);
});

test('commit text: tree, parents in order, author, committer, a blank line, the message as given', () => {
  const ident = { name: 'A', email: 'a@b' };
  assert.is(
    commitText({ tree: 't', parents: ['p1', 'p2'], author: ident, committer: { name: 'C', email: 'c@d' }, when: '1 +0000', message: 'subject\n\nbody\n' }),
    'tree t\nparent p1\nparent p2\nauthor A <a@b> 1 +0000\ncommitter C <c@d> 1 +0000\n\nsubject\n\nbody\n',
  );
});

test('a text git would refuse (a NUL) or re-encode (a noncharacter) is not ours to write', () => {
  assert.ok(keptAsIs('On main: Zoë 山田 \u{1F600} \uFFFD\n'));
  for (const ch of ['\0', '\uFDD0', '\uFDEF', '\uFFFE', '\uFFFF', '\u{1FFFE}', '\u{10FFFF}']) {
    assert.not.ok(keptAsIs(`author A${ch} <a@b> 1 +0000\n\nm\n`), JSON.stringify(ch));
  }
  assert.ok(keptAsIs('\uFDCF\uFDF0\uFFFD\u{1FFFD}'), 'their neighbours are characters');
});

test.run();
