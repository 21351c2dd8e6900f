// Alerts (backup.alert.command, backup.alert.webhook): one JSON document on the command's stdin, and
// POSTed to the webhook, when a disk threshold is crossed, an automatic cleanup runs, or a transition
// fails. The command runs through `sh -c`
// (so the user may write a pipeline), in its own process group, with stdout/stderr discarded
// (a hook's terminal must not get its chatter), and is killed after ALERT_TIME_LIMIT_MS. An alert
// never fails the caller: problems go to backup.log.
import { nodeChildProcess } from '../builtins.js';
import { logLine } from '../store/backup-log.js';

export type AlertKind = 'disk-threshold' | 'auto-cleanup' | 'transition-failed';

export interface Alert {
  kind: AlertKind;
  repo: string;
  at: string;
  details: unknown;
}

export const ALERT_TIME_LIMIT_MS = 10_000;

/** Where alerts go, as configured; either or both may be null. */
export interface AlertTargets {
  command: string | null;
  webhook: string | null;
}

export async function sendAlert(to: AlertTargets, alert: Alert, storeDir: string, limitMs = ALERT_TIME_LIMIT_MS): Promise<void> {
  await Promise.all([runCommand(to.command, alert, storeDir, limitMs), postWebhook(to.webhook, alert, storeDir, limitMs)]);
}

/**
 * POST the alert as JSON, given up after limitMs. Any answer but 2xx, a refused connection or a
 * time-out goes to backup.log; nothing is retried (the next alert is the next chance).
 */
async function postWebhook(url: string | null, alert: Alert, storeDir: string, limitMs: number): Promise<void> {
  if (!url) return;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'git-backup' },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(limitMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) logLine(storeDir, `alert ${alert.kind}: webhook answered ${res.status}`);
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${limitMs} ms` : (e as Error).message;
    logLine(storeDir, `alert ${alert.kind}: webhook failed: ${why}`);
  }
}

async function runCommand(command: string | null, alert: Alert, storeDir: string, limitMs: number): Promise<void> {
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
    const child = nodeChildProcess().spawn('sh', ['-c', command], { cwd: alert.repo, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
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
