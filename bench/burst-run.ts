// `npm run bench:burst` (issue 9): the burst benchmarks and start-up alone, without the hour-long
// full run; their report replaces the part of BENCHMARKS.md between the burst markers (appended the
// first time). `-- --quick`: a smoke run, printed only. `-- --files=40000`: the bigger repository.
// `-- --only=ops|cpu`: one part, printed only. `-- --no-startup`: without the start-up section.
// `-- --no-husky`: without the husky variant (minutes per round).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, ROOT } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { renderReport, verdictLine, type Section } from './lib/report.js';
import { benchBurst } from './burst.js';
import { benchStartup } from './startup.js';

const quick = process.argv.includes('--quick');
const filesArg = process.argv.find((a) => a.startsWith('--files='));
const files = filesArg ? Number(filesArg.slice('--files='.length)) : 5_000;
// `--only=ops` (the timed git operations) or `--only=cpu` (the drain CPU): a part, printed only
// (the section in BENCHMARKS.md is the whole run's).
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const part = onlyArg === 'ops' || onlyArg === 'cpu' ? onlyArg : 'all';
const noStartup = part !== 'all' || process.argv.includes('--no-startup');
const ctx = new BenchContext(quick);
const started = Date.now();
const sections: Section[] = [];
try {
  sections.push(...(await benchBurst(ctx, files, part, !process.argv.includes('--no-husky'))));
  if (!noStartup) sections.push(await benchStartup(ctx));
} finally {
  ctx.scratch.cleanup();
}
const body = renderReport({
  date: new Date(),
  machine: describeMachine(),
  command: `npm run bench:burst${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  quick,
  durationS: (Date.now() - started) / 1000,
  sections,
})
  .replace(/^# Benchmarks\n/, `# Bursts and start-up (${files.toLocaleString('en')} files)\n`)
  .replace(/^## /gm, '### ')
  .replace(/^# /m, '## ');
const BEGIN = `<!-- bursts ${files}: begin (bench/burst-run.ts) -->`;
const END = `<!-- bursts ${files}: end -->`;
if (quick || part !== 'all') {
  process.stdout.write(body);
} else {
  const path = join(ROOT, 'BENCHMARKS.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const block = `${BEGIN}\n${body}${END}\n`;
  const i = old.indexOf(BEGIN);
  const j = old.indexOf(END);
  writeFileSync(path, i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + END.length + 1) : `${old.trimEnd()}\n\n${block}`);
  ctx.log(`wrote the burst section of ${path}`);
}
for (const s of sections) for (const v of s.verdicts) ctx.log(`${s.title}: ${verdictLine(v)}`);
