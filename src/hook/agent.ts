// `git backup hook agent claude-code`: what Claude Code runs on UserPromptSubmit and before each
// file-changing tool call (install --agent). A checkpoint of the whole tree, labelled with the agent
// and its session, that is also an undo point (so `git backup undo` rewinds the last turn or tool
// call). It always exits 0 and prints nothing: an agent's hook must never stop the agent, and our
// output would land in its transcript. A turn that changed nothing returns the newest checkpoint
// instead of a new one. Problems go to backup.log.
import type { Context } from '../app/context.js';
import { readEvent, type AgentEvent, type ClientOutcome } from './agent-client.js';

/** A label value: what a session id can safely be in a label (letters, digits, - _ .), at most 64. */
const labelSafe = (v: unknown) => (typeof v === 'string' ? v.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) : '');

/** Take the checkpoint `event` asks for in `ctx`; what happened goes to ctx.io (backup.log). Never throws: false when it failed. */
export async function agentCheckpoint(ctx: Context, agent: string, event: AgentEvent): Promise<boolean> {
  try {
    if (agent !== 'claude-code') throw new Error(`unknown agent ${JSON.stringify(agent)}`);
    const { createBackup } = await import('../app/create.js');
    const { undoPointLabels, undoPointOf } = await import('../core/undo-stack.js');
    const session = labelSafe(event.session_id);
    // The tool's name goes into a commit message: no control characters (git refuses a NUL there), at most 64.
    const tool = typeof event.tool_name === 'string' ? event.tool_name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64) : '';
    const what = event.hook_event_name === 'UserPromptSubmit' ? 'the prompt' : tool || 'a tool call';
    const made = await createBackup(ctx, {
      message: `checkpoint before ${what} (${agent})`,
      includeIgnored: false,
      paths: [],
      cwd: ctx.repo.worktree,
      pin: false,
      labels: [`agent:${agent}`, ...(session ? [`session:${session}`] : []), ...undoPointLabels('run', null)],
      trigger: 'USER',
      allowEmpty: true, // the first checkpoint of a clean tree is what undo removes the agent's new files against
      reuse: true, // nothing changed since the last one: no new backup
      // ... when that one is a point undo lands on (not a plain backup, a run's after backup, or an
      // undo's own point), of this session (a new session's first checkpoint carries its label, so
      // `list --label session:<id>` finds its whole history)
      reuseOnly: (newest) => undoPointOf(newest)?.op === 'run' && (!session || newest.labels.includes(`session:${session}`)),
    });
    if (made.kind !== 'empty') ctx.io.out(`agent ${agent}: checkpoint ${made.record.id}${made.kind === 'reused' ? ' (unchanged, reused)' : ''}`);
    return true;
  } catch (e) {
    ctx.io.err(`agent ${agent}: no checkpoint: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return false;
  }
}

/**
 * The checkpoint in this process, for a hook its worktree's server did not serve (agent-client.ts),
 * then a server started for the next one where nobody listened (`startServer`, detached).
 */
export async function runAgentCheckpoint(
  args: string[],
  open: (dir: string) => Promise<Context>,
  client: ClientOutcome | null,
  startServer: (ctx: Context, socket: string, top: string) => Promise<void>,
): Promise<number> {
  const agent = args[0] ?? '';
  const event = client ? client.event : await readEvent();
  let ctx: Context | null = null;
  try {
    if (agent !== 'claude-code') throw new Error(`unknown agent ${JSON.stringify(agent)}`);
    ctx = await open(typeof event.cwd === 'string' && event.cwd ? event.cwd : process.cwd());
  } catch (e) {
    ctx?.io.err(`agent ${agent}: no checkpoint: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return 0;
  }
  await agentCheckpoint(ctx, agent, event);
  if (client?.startAt) await startServer(ctx, client.startAt.socket, client.startAt.top).catch(() => undefined);
  return 0;
}
