// `npm run bench:startup`: the start-up section alone (bench/startup.ts), a minute instead of the
// full run's hour; it replaces the part of BENCHMARKS.md between the start-up markers. `-- --quick`:
// a smoke run, printed only.
import { BenchContext, ROOT } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { partOfBenchmarks, verdictLine, writeSection } from './lib/report.js';
import { benchStartup } from './startup.js';

const quick = process.argv.includes('--quick');
const ctx = new BenchContext(quick);
const started = Date.now();
let section;
try {
  section = await benchStartup(ctx);
} finally {
  ctx.scratch.cleanup();
}
const body = partOfBenchmarks(
  {
    date: new Date(),
    machine: describeMachine(),
    command: quick ? 'npm run bench:startup -- --quick' : 'npm run bench:startup',
    quick,
    durationS: (Date.now() - started) / 1000,
    sections: [section],
  },
  'Start-up against a plain `node -e 0`',
);
if (quick) process.stdout.write(body);
else writeSection(ROOT, 'startup', 'bench/startup-run.ts', body);
for (const v of section.verdicts) ctx.log(`start-up: ${verdictLine(v)}`);
