// PLACEHOLDER for the policies branch: the real, validating loadConfig (every key, exit 3 naming the
// key) comes from the configuration work and replaces this file at merge. This one overlays
// DEFAULT_CONFIG with the few backup.* keys the policy tests set, parsed simply, ignoring bad values.
import { DEFAULT_CONFIG, type BackupConfig, type DiskStrategy, type RetainedState } from '../core/config.js';
import { parseDuration } from '../core/duration.js';
import { git, type RepoPaths } from '../git/exec.js';

const SIZE_UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function size(v: string): number | null {
  const m = /^(\d+)([KMGT]?)$/i.exec(v.trim());
  return m ? Number(m[1]) * SIZE_UNIT[m[2]!.toUpperCase()]! : null;
}

export async function loadConfig(repo: RepoPaths): Promise<BackupConfig> {
  const out = await git(['config', '-z', '--get-regexp', '^backup\\.'], { cwd: repo.worktree, okCodes: [1] });
  const c: BackupConfig = structuredClone(DEFAULT_CONFIG);
  for (const rec of out.stdout.split('\0')) {
    const nl = rec.indexOf('\n');
    if (nl < 0) continue;
    const key = rec.slice(0, nl).toLowerCase();
    const v = rec.slice(nl + 1);
    const num = Number(v);
    const ret = /^backup\.retention\.(created|pending|confirmed|cleanable|archived)$/.exec(key);
    if (ret) c.retention[ret[1]!.toUpperCase() as RetainedState] = parseDuration(v) ?? c.retention[ret[1]!.toUpperCase() as RetainedState];
    else if (key === 'backup.keep.last') c.keep.last = num;
    else if (key === 'backup.keep.daily') c.keep.daily = num;
    else if (key === 'backup.keep.weekly') c.keep.weekly = num;
    else if (key === 'backup.autocleanupconfidence') c.autoCleanupConfidence = num;
    else if (key === 'backup.disk.warning') c.disk.warning = parseFloat(v);
    else if (key === 'backup.disk.critical') c.disk.critical = parseFloat(v);
    else if (key === 'backup.disk.emergency') c.disk.emergency = parseFloat(v);
    else if (key === 'backup.disk.quota') c.disk.quota = size(v);
    else if (key === 'backup.disk.strategy') c.disk.strategy = v as DiskStrategy;
    else if (key === 'backup.check.interval') c.check.interval = parseDuration(v) ?? c.check.interval;
    else if (key === 'backup.alert.command') c.alertCommand = v;
    else if (key === 'backup.integrationbranch') c.integrationBranch = v;
  }
  return c;
}
