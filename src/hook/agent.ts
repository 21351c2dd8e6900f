// `git backup hook agent claude-code`: what Claude Code runs on UserPromptSubmit and before each
// file-changing tool call (install --agent). A checkpoint of the whole tree, labelled with the agent
// and its session, that is also an undo point (so `git backup undo` rewinds the last turn or tool
// call). It always exits 0 and prints nothing: an agent's hook must never stop the agent, and our
// output would land in its transcript. A turn that changed nothing returns the newest checkpoint
// instead of a new one. Problems go to backup.log.
import type { Context } from '../app/context.js';

/** What Claude Code sends on stdin (the fields we use; the rest is ignored). */
interface AgentEvent {
  session_id?: unknown;
  hook_event_name?: unknown;
  tool_name?: unknown;
  cwd?: unknown;
}

/** stdin as JSON, or {} when there is none, it is not JSON, or it does not arrive within a moment. */
async function readEvent(): Promise<AgentEvent> {
  if (process.stdin.isTTY) return {};
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    process.stdin.on('data', (d: Buffer) => chunks.push(d));
    process.stdin.on('end', () => (clearTimeout(timer), resolve()));
    process.stdin.on('error', () => (clearTimeout(timer), resolve()));
  });
  await done;
  process.stdin.destroy();
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as AgentEvent) : {};
  } catch {
    return {};
  }
}

/** A label value: what a session id can safely be in a label (letters, digits, - _ .), at most 64. */
const labelSafe = (v: unknown) => (typeof v === 'string' ? v.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) : '');

export async function runAgentCheckpoint(args: string[], open: (dir: string) => Promise<Context>): Promise<number> {
  const agent = args[0] ?? '';
  const event = await readEvent();
  let ctx: Context | null = null;
  try {
    if (agent !== 'claude-code') throw new Error(`unknown agent ${JSON.stringify(agent)}`);
    ctx = await open(typeof event.cwd === 'string' && event.cwd ? event.cwd : process.cwd());
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
      // ... when that one is a point undo lands on (not a plain backup, a run's after backup, or an undo's own point)
      reuseOnly: (newest) => undoPointOf(newest)?.op === 'run',
    });
    if (made.kind !== 'empty') ctx.io.out(`agent ${agent}: checkpoint ${made.record.id}${made.kind === 'reused' ? ' (unchanged, reused)' : ''}`);
  } catch (e) {
    ctx?.io.err(`agent ${agent}: no checkpoint: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  return 0;
}
