// The real promtool for the metrics tests (issue 10): on PATH or in $PROMTOOL if there is one, else
// from Debian's prometheus package (test/helpers/debian.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fromDebian } from './debian.js';

function promtool(): string {
  if (process.env.PROMTOOL) return process.env.PROMTOOL;
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) return 'promtool';
  return join(fromDebian('prometheus', ['prometheus'], ['./usr/bin/promtool']), 'usr', 'bin', 'promtool');
}

/** `promtool check metrics` of an exposition: its exit code and what it said. */
export function checkMetrics(text: string): { code: number; output: string } {
  const r = spawnSync(promtool(), ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}
