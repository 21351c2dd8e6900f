// PLACEHOLDER (archive branch): the real loadConfig — every backup.* key parsed and validated — comes
// from the configuration work and replaces this file at merge. Only what the archive code and its
// tests need is read here: backup.archiveDir and backup.sensitive (repeatable).
import { DEFAULT_CONFIG, type BackupConfig } from '../core/config.js';
import { git, type RepoPaths } from '../git/exec.js';

export async function loadConfig(repo: RepoPaths): Promise<BackupConfig> {
  const cwd = repo.worktree;
  const [dir, sensitive] = await Promise.all([
    git(['config', '--type=path', '--get', 'backup.archiveDir'], { cwd, okCodes: [1] }),
    git(['config', '--get-all', 'backup.sensitive'], { cwd, okCodes: [1] }),
  ]);
  return {
    ...structuredClone(DEFAULT_CONFIG),
    archiveDir: dir.code === 0 && dir.stdout.trim() ? dir.stdout.trim() : null,
    sensitive: sensitive.code === 0 ? sensitive.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [],
  };
}
