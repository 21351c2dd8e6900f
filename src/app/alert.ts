// Alerts (backup.alert.command): one JSON document on the command's stdin when a disk threshold is
// crossed, an automatic cleanup runs, or a transition fails. The command runs through `sh -c`
// (so the user may write a pipeline), in its own process group, with stdout/stderr discarded
// (a hook's terminal must not get its chatter), and is killed after ALERT_TIME_LIMIT_MS. An alert
// never fails the caller: problems go to backup.log.
import { spawn } from 'node:child_process';
import { logLine } from '../store/backup-log.js';

export type AlertKind = 'disk-threshold' | 'auto-cleanup' | 'transition-failed';

export interface Alert {
  kind: AlertKind;
  repo: string;
  at: string;
  details: unknown;
}

export const ALERT_TIME_LIMIT_MS = 10_000;

export async function sendAlert(command: string | null, alert: Alert, storeDir: string, limitMs = ALERT_TIME_LIMIT_MS): Promise<void> {
  if (!command) return;
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (problem: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (problem) logLine(storeDir, `alert ${alert.kind}: ${problem}`);
      resolve();
    };
    const child = spawn('sh', ['-c', command], { cwd: alert.repo, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      finish(`killed after ${limitMs} ms`);
    }, limitMs);
    child.on('error', (e) => finish(`cannot run: ${e.message}`));
    child.on('exit', (code, signal) => finish(code === 0 ? null : `exited ${code ?? signal}`));
    child.stdin.on('error', () => {}); // a command that does not read its stdin is fine
    child.stdin.end(JSON.stringify(alert) + '\n');
  });
}
