// TEST-ONLY: GIT_BACKUP_TEST_PAUSE_AT=<point> makes the process announce the point on stderr and
// wait there forever, so a test can SIGKILL it at exactly that step of a multi-step effect
// (archive, delete) and prove the journal finishes or undoes it. Points are named where pauseAt is
// called (e.g. archive:after-write, archive:after-record, delete:before-unlink). Never set it in use.
export async function pauseAt(point: string): Promise<void> {
  if (process.env.GIT_BACKUP_TEST_PAUSE_AT !== point) return;
  process.stderr.write(`git-backup: test pause at ${point}\n`);
  await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
}
