// `npm run bench:burst` (issue 9): the burst benchmarks and start-up alone, without the hour-long
// full run; their report replaces the part of BENCHMARKS.md between the burst markers (appended the
// first time). `-- --quick`: a smoke run, printed only. `-- --files=40000`: the bigger repository.
// `-- --only=ops|cpu`: one part, printed only. `-- --no-startup`: without the start-up section.
// `-- --no-husky`: without the husky variant (minutes per round). `-- --settle` and `-- --no-drains`
// (diagnostics, printed only): every drain finished before each sample; no drain at all.
import { join } from 'node:path';
import { BenchContext, ROOT } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { partOfBenchmarks, verdictLine, writeSection, type Section } from './lib/report.js';
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
  sections.push(...(await benchBurst(ctx, files, part, !process.argv.includes('--no-husky'), { settle: process.argv.includes('--settle'), noDrains: process.argv.includes('--no-drains') })));
  if (!noStartup) sections.push(await benchStartup(ctx));
} finally {
  ctx.scratch.cleanup();
}
const body = partOfBenchmarks(
  {
    date: new Date(),
    machine: describeMachine(),
    command: `npm run bench:burst${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick,
    durationS: (Date.now() - started) / 1000,
    sections,
  },
  `Bursts and start-up (${files.toLocaleString('en')} files)`,
);
if (quick || part !== 'all' || process.argv.some((a) => a === '--settle' || a === '--no-drains')) {
  process.stdout.write(body);
} else {
  writeSection(ROOT, `bursts ${files}`, 'bench/burst-run.ts', body);
  ctx.log(`wrote the burst section of ${join(ROOT, 'BENCHMARKS.md')}`);
}
for (const s of sections) for (const v of s.verdicts) ctx.log(`${s.title}: ${verdictLine(v)}`);
