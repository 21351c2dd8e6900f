// Every command's --help text from one Node process (the same yargs definitions the CLI uses),
// instead of one CLI start per command: the docs and completion tests read thirty of them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './repo.js';

const MARK = '\u0000--help-end--\u0000';

export function helpTexts(commands: readonly string[]): Map<string, string> {
  const parser = JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'cli-parser.js'));
  const script = `const { buildParser } = await import(${parser});
for (const c of ${JSON.stringify(commands)}) {
  const argv = [c, '--help'];
  await new Promise((resolve) => buildParser(argv).exitProcess(false).parse(argv, (e, a, out) => { process.stdout.write(out + '\\n' + ${JSON.stringify(MARK)}); resolve(); }));
}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`help texts: ${r.stderr}`);
  const parts = r.stdout.split(MARK);
  return new Map(commands.map((c, i) => [c, parts[i] ?? '']));
}
