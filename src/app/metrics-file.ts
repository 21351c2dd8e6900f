// `status --prometheus-file PATH`: the metrics written for node_exporter's textfile collector, which
// reads every *.prom file of its directory on each scrape, so it must never see half a file: a temp
// file beside the target (`.NAME.<hex>.tmp`, not a *.prom name) renamed over it. 0644: the exporter
// runs as its own user, and the numbers (counts, bytes, times) are not secret.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeDurably } from '../fs/durable-write.js';
import { BackupError, ExitCode, usageError } from '../errors.js';

export async function publishMetrics(path: string, text: string): Promise<void> {
  const target = resolve(path);
  const dir = await stat(dirname(target)).catch(() => null);
  if (!dir?.isDirectory()) throw new BackupError(ExitCode.NOT_FOUND, `--prometheus-file: directory ${dirname(target)} does not exist`);
  if ((await stat(target).catch(() => null))?.isDirectory()) throw usageError(`--prometheus-file: ${target} is a directory; name a file in it, e.g. ${target}/git_backup.prom`);
  await writeDurably(target, text, 0o644);
}
