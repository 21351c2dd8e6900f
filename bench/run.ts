// The benchmarks of design.md §Performance: `npm run bench` (full, rewrites BENCHMARKS.md) or
// `npm run bench -- --quick` (few iterations, a smoke run: prints the report, writes nothing).
// Scratch repositories live in mkdtemp directories and are removed at the end, even on failure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, ROOT } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { renderReport, verdictLine, withMarkedSections, type Section } from './lib/report.js';
import { makeBigRepo } from './fixtures/big-repo.js';
import { benchDiskGrowth } from './disk-growth.js';
import { benchCreate } from './create.js';
import { benchCommit } from './commit.js';
import { benchDrain } from './drain.js';
import { benchManyBackups } from './many-backups.js';
import { benchStartup } from './startup.js';
import { benchArchiveMemory } from './archive-memory.js';
import { benchBurst } from './burst.js';

const quick = process.argv.includes('--quick');
const ctx = new BenchContext(quick);
const started = Date.now();
const sections: Section[] = [];

try {
  ctx.log('building the 20,000-file repository');
  const repo = await makeBigRepo(ctx, { dirs: 200, filesPerDir: 100, changed: 300 });
  // Disk growth first: it measures the repository's very first backup too.
  sections.push(await benchDiskGrowth(ctx, repo));
  sections.push(await benchCreate(ctx, repo));
  sections.push(await benchManyBackups(ctx));
  sections.push(await benchDrain(ctx));
  sections.push(await benchCommit(ctx));
  sections.push(...(await benchBurst(ctx)));
  sections.push(await benchStartup(ctx));
  sections.push(await benchArchiveMemory(ctx));
} finally {
  ctx.scratch.cleanup();
}

const report = renderReport({
  date: new Date(),
  machine: describeMachine(),
  command: quick ? 'npm run bench -- --quick' : 'npm run bench',
  quick,
  durationS: (Date.now() - started) / 1000,
  sections,
});
if (quick) {
  process.stdout.write(report);
} else {
  const path = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(path, withMarkedSections(report, existsSync(path) ? readFileSync(path, 'utf8') : ''));
  ctx.log(`wrote ${join(ROOT, 'BENCHMARKS.md')}`);
}
for (const s of sections) for (const v of s.verdicts) ctx.log(`${s.title}: ${verdictLine(v)}`);
