// `git backup hook <name> [args..]`: what the hook templates call (src/hook/main.ts). bin/git-backup.cjs
// sends `hook` there before anything else loads; this definition is for --help and main() callers.
import { BackupError, ExitCode } from '../errors.js';
import { define, stringList } from './define.js';

export const hookCommand = define({
  command: 'hook <name> [args..]',
  describe: 'what the hook templates call (drain, pre-rebase, agent); see git backup hook --help',
  builder: (y) => y.positional('name', { type: 'string', describe: 'drain, pre-rebase or agent' }).positional('args', { type: 'string', array: true }),
  handler: async (a) => {
    const { hookMain } = await import('../hook/main.js');
    const code = await hookMain([String(a.name), ...stringList(a.args)]);
    if (code !== ExitCode.OK) throw new BackupError(code as ExitCode, `git backup hook ${String(a.name)} failed`);
  },
});
