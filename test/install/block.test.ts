import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BLOCK_BEGIN, BLOCK_END, findBlock, insertBlock, isShellScript, removeBlock, renderBlock, replaceBlock,
} from '../../src/install/block.js';
import { lefthookBlock, localConfigName } from '../../src/install/lefthook.js';
import { hookTemplate, standaloneHook } from '../../src/install/template.js';
import { HOOK_NAMES } from '../../src/core/events.js';
import { PROJECT_ROOT } from '../helpers/repo.js';

const block = renderBlock(hookTemplate(), 'post-commit');

const EXISTING = [
  '#!/bin/sh\necho hi\n',
  '#!/bin/sh\necho no trailing newline',
  '#!/bin/sh',
  '#!/bin/sh\n',
  '#!/usr/bin/env bash\nset -euo pipefail\nexit 0\n',
  '#! /bin/bash -e\n\necho spaced\n',
  '#!/bin/sh\r\necho crlf\r\nexit 0\r\n',
  'echo no shebang (husky 9 style)\n',
  'echo no shebang, no newline',
  '',
  '\n\n',
  '#!/bin/sh\n# >>> not quite ours\necho\n',
];

test('insert then remove is byte-identical, for every shape of existing hook', () => {
  for (const text of EXISTING) {
    const withBlock = insertBlock(text, block);
    assert.ok(findBlock(withBlock), JSON.stringify(text));
    const r = removeBlock(withBlock);
    assert.ok(r.found);
    assert.is(r.text, text, JSON.stringify(text));
    assert.is(r.deleteFile, false);
  }
});

test('the block goes right after the shebang, or first', () => {
  const t = insertBlock('#!/bin/sh\necho user\n', block);
  assert.ok(t.startsWith('#!/bin/sh\n' + BLOCK_BEGIN + '\n'));
  assert.ok(t.endsWith(BLOCK_END + '\necho user\n'));
  assert.ok(insertBlock('echo user\n', block).startsWith(BLOCK_BEGIN + '\n'));
  // A shebang without a line end gets one, and loses it again on removal.
  const bare = insertBlock('#!/bin/sh', block);
  assert.ok(bare.startsWith('#!/bin/sh\n' + BLOCK_BEGIN + ' newline\n'));
});

test('a created file is deleted on removal, unless the user added to it', () => {
  const created = insertBlock(null, block);
  assert.ok(created.startsWith('#!/bin/sh\n' + BLOCK_BEGIN + ' created\n'));
  assert.equal(removeBlock(created), { text: '#!/bin/sh\n', found: true, deleteFile: true });
  const grown = created + 'echo mine\n';
  const r = removeBlock(grown);
  assert.is(r.deleteFile, false);
  assert.is(r.text, '#!/bin/sh\necho mine\n');
  // A user file that happens to be just "#!/bin/sh\n" is never deleted.
  assert.is(removeBlock(insertBlock('#!/bin/sh\n', block)).deleteFile, false);
});

test('inserting twice is refused; replace keeps flags and swaps the body', () => {
  const t = insertBlock('#!/bin/sh\necho user\n', block);
  assert.throws(() => insertBlock(t, block));
  const old = t.replace('hook block v1', 'hook block v0');
  assert.is.not(findBlock(old)!.body, block);
  assert.is(replaceBlock(old, block), t);
  const created = insertBlock(null, block);
  assert.is(replaceBlock(created.replace('v1', 'v0'), block), created);
});

test('removing from a file without our block changes nothing', () => {
  for (const text of EXISTING) assert.equal(removeBlock(text), { text, found: false, deleteFile: false });
  assert.is(findBlock(`x ${BLOCK_BEGIN}\n${BLOCK_END}\n`), null, 'markers must start a line');
});

test('isShellScript: sh family yes, python/node no', () => {
  for (const t of ['', 'echo', '#!/bin/sh\n', '#!/bin/bash', '#!/usr/bin/env sh\n', '#!/usr/bin/env -S bash -e\n', '#!/bin/zsh\n', '#!/bin/sh\r\n']) assert.ok(isShellScript(t), t);
  for (const t of ['#!/usr/bin/env python3\n', '#!/usr/bin/node\n', '#!/usr/bin/env node\n', '#!/usr/bin/perl -w\n']) assert.not.ok(isShellScript(t), t);
});

test('rendered blocks: hook name, stdin flag, real tab, no placeholders left', () => {
  for (const hook of HOOK_NAMES) {
    // The code is one single-quoted word: its own quotes come out as '\''.
    const b = renderBlock(hookTemplate(), hook).replaceAll("'\\''", "'");
    assert.not.match(b, /@[A-Z]+@/);
    assert.ok(b.includes(`__gb_name=${hook} `));
    assert.ok(b.includes(`__gb_stdin=${hook === 'post-rewrite' || hook === 'pre-push' ? 1 : 0} `));
    assert.ok(b.includes("__gb_t='\t'"));
  }
});

test('hooks/ in the package match the template (node scripts/gen-hooks.mjs regenerates them)', () => {
  for (const hook of HOOK_NAMES) assert.is(readFileSync(join(PROJECT_ROOT, 'hooks', hook), 'utf8'), standaloneHook(hook), hook);
});

test('lefthook entry: one command per hook, stdin where git gives some, markers for uninstall', () => {
  const y = lefthookBlock(HOOK_NAMES, "/r/.git/backup/hooks");
  assert.ok(y.startsWith(BLOCK_BEGIN + '\n') && y.endsWith(BLOCK_END + '\n'));
  assert.ok(y.includes("post-commit:\n  commands:\n    git-backup:\n      run: sh '/r/.git/backup/hooks/post-commit'\n"));
  assert.ok(y.includes("post-rewrite:\n  commands:\n    git-backup:\n      run: sh '/r/.git/backup/hooks/post-rewrite' {1}\n      use_stdin: true\n"));
  // pre-push and pre-rebase: lefthook pastes {0} raw into sh -c, so it goes through a quoted here-document.
  assert.ok(y.includes("pre-push:\n  commands:\n    git-backup:\n      run: |-\n        IFS= read -r __gb_a <<'__GB_LEFTHOOK_ARGS__' || :\n        {0}\n        __GB_LEFTHOOK_ARGS__\n"));
  assert.ok(y.includes(`exec sh '/r/.git/backup/hooks/pre-push' "$@"\n      use_stdin: true\n`));
  assert.is(localConfigName('lefthook.yml'), 'lefthook-local.yml');
  assert.is(localConfigName('.lefthook.yaml'), '.lefthook-local.yaml');
});

test.run();
