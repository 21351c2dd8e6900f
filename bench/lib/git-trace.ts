// Where a command's time goes among the git processes it runs: one run under GIT_TRACE2_EVENT, then
// the top-level git processes (those whose session id has no parent part) and their own wall times.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { run } from './proc.js';

export interface GitProcess {
  name: string;
  ms: number;
}

export interface GitTrace {
  wallMs: number;
  processes: GitProcess[];
}

interface TraceEvent {
  event?: string;
  sid?: string;
  name?: string;
  t_abs?: number;
}

export async function traceGit(ctx: BenchContext, cmd: readonly string[], cwd: string): Promise<GitTrace> {
  const file = join(ctx.scratch.dir('trace'), 'trace.json');
  const { ms } = await run(cmd, { cwd, env: { ...ctx.env, GIT_TRACE2_EVENT: file } });
  const names = new Map<string, string>();
  const processes: GitProcess[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as TraceEvent;
    if (!e.sid || e.sid.includes('/')) continue; // a git run by git: counted in its parent
    if (e.event === 'cmd_name' && e.name) names.set(e.sid, e.name);
    if (e.event === 'exit' && e.t_abs !== undefined) processes.push({ name: names.get(e.sid) ?? '?', ms: e.t_abs * 1000 });
  }
  return { wallMs: ms, processes };
}

/** "add ×1 82 ms, ls-files ×1 …", largest first. */
export function summarizeTrace(t: GitTrace): string {
  const by = new Map<string, { n: number; ms: number }>();
  for (const p of t.processes) {
    const s = by.get(p.name) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += p.ms;
    by.set(p.name, s);
  }
  return [...by].sort((a, b) => b[1].ms - a[1].ms).map(([name, s]) => `${name} ×${s.n} ${s.ms.toFixed(0)} ms`).join(', ');
}
