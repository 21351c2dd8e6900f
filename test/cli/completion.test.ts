// Shell completion (issue 10): completion/git-backup.bash through git's own bash completion, as a
// user's shell runs it, and in step with every command's --help.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.js';
import { helpTexts } from '../helpers/help.js';

const SCRIPT = join(PROJECT_ROOT, 'completion', 'git-backup.bash');
const GIT_COMPLETION = ['/usr/share/bash-completion/completions/git', '/usr/share/git-core/contrib/completion/git-completion.bash'].find((p) => existsSync(p));

/** What bash offers for each line (ending in a space: a new word), through git's completion; one bash for all. */
function completeAll(cwd: string, lines: string[]): string[][] {
  const driver = `
source ${JSON.stringify(GIT_COMPLETION)}
source ${JSON.stringify(SCRIPT)}
for line in "$@"; do
  COMP_LINE="$line"; COMP_POINT=\${#COMP_LINE}
  read -ra COMP_WORDS <<< "$line"
  case "$line" in *" ") COMP_WORDS+=("") ;; esac
  COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  __git_wrap__git_main git "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\\n' "\${COMPREPLY[@]}"
  echo "::end::"
done`;
  const out = execFileSync('bash', ['-c', driver, 'complete', ...lines], { cwd, encoding: 'utf8' });
  return out
    .split('::end::\n')
    .slice(0, lines.length)
    .map((block) => block.split('\n').map((s) => s.trim()).filter(Boolean));
}
const complete = (cwd: string, line: string) => completeAll(cwd, [line])[0]!;

test('commands, flags, states and ids complete through git\'s completion', () => {
  assert.ok(GIT_COMPLETION, 'git ships its bash completion');
  const repo = tempRepo();
  repo.write('a.txt', 'x\n');
  const { id } = repo.json<{ id: string }>(['create']);
  assert.equal(complete(repo.dir, 'git backup cr'), ['create']);
  assert.equal(complete(repo.dir, 'git backup re').sort(), ['reconcile', 'recover', 'redo', 'restore']);
  assert.equal(complete(repo.dir, 'git backup create --al'), ['--allow-empty']);
  assert.equal(complete(repo.dir, 'git backup show '), [id]);
  assert.equal(complete(repo.dir, 'git backup restore '), [id]);
  assert.ok(complete(repo.dir, `git backup transition ${id} `).includes('CLEANABLE'));
  assert.equal(complete(repo.dir, 'git backup list --sort '), ['age', 'size', 'confidence']);
  assert.equal(complete(repo.dir, 'git backup install --agent '), ['claude-code']);
});

test('every command and flag of --help is in the completion', () => {
  const repo = tempRepo();
  const script = readFileSync(SCRIPT, 'utf8');
  const listed = /__git_backup_commands="([^"]+)"/.exec(script)![1]!.split(' ');
  const help = repo.cli(['--help']).stdout;
  const commands = [...new Set([...help.matchAll(/^\s+git backup (\S+)/gm)].map((m) => m[1]!))].filter((c) => c !== 'hook');
  assert.equal([...listed].sort(), [...commands].sort(), 'the same commands (hook is internal)');
  const helps = [...helpTexts(commands).values()];
  const offered = completeAll(repo.dir, commands.map((c) => `git backup ${c} --`));
  commands.forEach((c, i) => {
    const flags = [...helps[i]!.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help' && f !== '--version');
    for (const f of flags) {
      const spelled = f === '--sparse' ? '--no-sparse' : f; // a default-true flag is typed as its negation
      assert.ok(offered[i]!.includes(spelled), `${c} ${spelled} completes (offered: ${offered[i]!.join(' ')})`);
    }
  });
});

test.run();
