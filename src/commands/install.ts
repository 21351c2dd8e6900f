// `git backup install [--force] [--agent NAME]` and `git backup uninstall [--agent NAME]`: print what was done, file by file.
import type { Context } from '../app/context.js';
import { installHooks, uninstallHooks, type FileResult, type InstallReport } from '../install/install.js';
import { define, inContext, jsonOpt, textOpt } from './define.js';

export const installCommand = define({
  command: 'install',
  describe: 'install the git hooks that move backups along as you commit, merge, rebase and push (adds a marked block; never replaces your hooks; husky and lefthook aware)',
  builder: (y) =>
    y
      .option('force', { type: 'boolean', default: false, describe: 'replace older git-backup blocks with this version (never touches anything else)' })
      .option('agent', textOpt('agent', { describe: 'instead: a checkpoint per turn and per file-changing tool call of this coding agent (claude-code)' }, { nonEmpty: true }))
      .option('json', jsonOpt)
      .example('git backup install --agent claude-code', 'hook entries merged into .claude/settings.local.json'),
  handler: (a) => inContext((ctx) => runInstall(ctx, { force: a.force, json: a.json, agent: a.agent ?? null })),
});

export const uninstallCommand = define({
  command: 'uninstall',
  describe: 'remove exactly the blocks install added (your hook files end up byte-identical to before)',
  builder: (y) => y.option('agent', textOpt('agent', { describe: 'instead: remove the entries install --agent added' }, { nonEmpty: true })).option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runUninstall(ctx, { json: a.json, agent: a.agent ?? null })),
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

const AGENT_VERB = { added: 'added our hook entries', unchanged: 'nothing to change', removed: 'removed our hook entries', deleted: 'removed our hook entries and the file (nothing else was in it)', absent: 'no such file' } as const;

async function agentCommand(ctx: Context, name: string, install: boolean, json: boolean): Promise<void> {
  const { installAgent, uninstallAgent, parseAgent } = await import('../install/agent.js');
  const agent = parseAgent(name);
  const r = await (install ? installAgent : uninstallAgent)(ctx.repo, agent);
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
