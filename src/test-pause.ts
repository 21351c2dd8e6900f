// TEST-ONLY: GIT_BACKUP_TEST_PAUSE_AT=<point> makes the process announce the point on stderr and
// wait there, so a test can SIGKILL it at exactly that step of a multi-step effect (archive, delete,
// gc) and prove the journal finishes or undoes it, or change something on disk and send SIGUSR1 to
// let it go on (e.g. damage an archive between its write and its read-back). Points are named where
// pauseAt is called (store:before-notes and store:after-notes, around a store update's note write,
// which comes before its db.json write; store:after-cold, tombstones appended to the cold store
// and db.json not yet written; store:after-write, before its content effects; store:after-load, an
// unlocked read that found no index and built it from the notes, before it decides whether one is missing;
// context:opened, once a command has read the clock; restore:before-rename, a restored file written
// to its temp name;
// archive:after-write, archive:after-verify, archive:after-record,
// delete:after-record, delete:before-unlink, gc:after-repack; notes:before-import, a notes write
// about to hand fast-import a commit built on the tip it read; notes:before-transaction, a new
// backup's notes commit written and its ref-and-note transaction not yet made; notes:after-refs, a
// new backup's ref written the general way and its note not yet; agent-server:checkpoint, an agent's
// checkpoint server about to take one). Never set it in real use.
export async function pauseAt(point: string): Promise<void> {
  if (process.env.GIT_BACKUP_TEST_PAUSE_AT !== point) return;
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once('SIGUSR1', () => resolve());
    process.stderr.write(`git-backup: test pause at ${point}\n`);
  });
  clearInterval(keepAlive);
}
