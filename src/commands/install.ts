// `git backup install [--force]` and `git backup uninstall`: print what was done, file by file.
import type { Context } from '../app/context.js';
import { installHooks, uninstallHooks, type FileResult, type InstallReport } from '../install/install.js';
import { define, inContext, jsonOpt } from './define.js';

export const installCommand = define({
  command: 'install',
  describe: 'install the git hooks that move backups along as you commit, merge, rebase and push (adds a marked block; never replaces your hooks; husky and lefthook aware)',
  builder: (y) =>
    y
      .option('force', { type: 'boolean', default: false, describe: 'replace older git-backup blocks with this version (never touches anything else)' })
      .option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runInstall(ctx, { force: a.force, json: a.json })),
});

export const uninstallCommand = define({
  command: 'uninstall',
  describe: 'remove exactly the blocks install added (your hook files end up byte-identical to before)',
  builder: (y) => y.option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runUninstall(ctx, { json: a.json })),
});

const VERB: Record<FileResult['action'], string> = {
  created: 'created',
  added: 'added our block to your hook',
  unchanged: 'already installed',
  replaced: 'updated our block',
  outdated: 'older block left in place',
  skipped: 'skipped',
  printed: 'not edited (see below)',
  removed: 'removed our block',
  deleted: 'deleted (we had created it)',
};

function print(ctx: Context, report: InstallReport, json: boolean): void {
  if (json) {
    ctx.io.out(JSON.stringify({ mode: report.setup.mode, files: report.files, config: report.config, advice: report.advice }));
    return;
  }
  const lines: string[] = [];
  for (const f of report.files) lines.push(`${f.what.padEnd(12)} ${VERB[f.action]}: ${f.path}${f.note ? ` (${f.note})` : ''}`);
  for (const c of report.config) lines.push(`git config   ${c}`);
  lines.push(...report.advice);
  ctx.io.out(lines.length ? lines.join('\n') : 'nothing to do');
}

export async function runInstall(ctx: Context, args: { force: boolean; json: boolean }): Promise<void> {
  const report = await installHooks(ctx, { force: args.force });
  if (!args.json) ctx.io.out(`hooks: ${report.setup.mode === 'hooks' ? 'git hooks directory' : report.setup.mode}`);
  print(ctx, report, args.json);
}

export async function runUninstall(ctx: Context, args: { json: boolean }): Promise<void> {
  const report = await uninstallHooks(ctx);
  if (report.files.length === 0 && !args.json) ctx.io.out('no git-backup hook blocks found');
  print(ctx, report, args.json);
}
