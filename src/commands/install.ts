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

const AGENT_VERB = { added: 'added our hook entries', unchanged: 'nothing to change', removed: 'removed our hook entries', deleted: 'removed our hook entries and the file (nothing else was in it)', absent: 'no such file' } as const;

async function agentCommand(ctx: Context, name: string, install: boolean, json: boolean): Promise<void> {
  const { installAgent, uninstallAgent, parseAgent } = await import('../install/agent.js');
  const agent = parseAgent(name);
  const r = await (install ? installAgent : uninstallAgent)(ctx.repo.worktree, agent);
  if (json) ctx.io.out(JSON.stringify({ agent, ...r }));
  else ctx.io.out(`${agent.padEnd(12)} ${AGENT_VERB[r.action]}: ${r.path}`);
}

export async function runInstall(ctx: Context, args: { force: boolean; json: boolean; agent: string | null }): Promise<void> {
  if (args.agent !== null) return agentCommand(ctx, args.agent, true, args.json);
  const report = await installHooks(ctx, { force: args.force });
  if (!args.json) ctx.io.out(`hooks: ${report.setup.mode === 'hooks' ? 'git hooks directory' : report.setup.mode}`);
  print(ctx, report, args.json);
}

export async function runUninstall(ctx: Context, args: { json: boolean; agent: string | null }): Promise<void> {
  if (args.agent !== null) return agentCommand(ctx, args.agent, false, args.json);
  const report = await uninstallHooks(ctx);
  if (report.files.length === 0 && !args.json) ctx.io.out('no git-backup hook blocks found');
  print(ctx, report, args.json);
}
