// zsh for the completion tests (issue 10): the installed one, else Debian's zsh and zsh-common
// (test/helpers/debian.ts). A zsh unpacked there is not where it was built to look for its modules
// and functions: GB_ZSH_ROOT tells test/helpers/zsh-complete.zsh where they are.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fromDebian } from './debian.js';

export function zsh(): { bin: string; env: NodeJS.ProcessEnv } {
  if (spawnSync('zsh', ['--version'], { stdio: 'ignore' }).status === 0) return { bin: 'zsh', env: {} };
  const root = fromDebian('zsh', ['zsh', 'zsh-common']);
  const bin = join(root, 'bin', 'zsh');
  return { bin, env: { GB_ZSH_ROOT: root, GB_ZSH_BIN: bin } };
}
