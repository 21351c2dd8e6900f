// `git backup install [--force]` and `git backup uninstall`: print what was done, file by file.
import type { Context } from '../app/context.js';
import { installHooks, uninstallHooks, type FileResult, type InstallReport } from '../install/install.js';

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
