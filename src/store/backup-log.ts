// <store>/backup.log: the human log. Detached drains have no terminal, so everything they would
// have said goes here, one timestamped line per message.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export function backupLogPath(storeDir: string): string {
  return join(storeDir, 'backup.log');
}

/** Append one line (newlines in the message are flattened). Never throws: logging must not fail a drain. */
export function logLine(storeDir: string, message: string, at: Date = new Date()): void {
  try {
    appendFileSync(backupLogPath(storeDir), `${at.toISOString()} ${message.replace(/\s*\n\s*/g, ' | ')}\n`, { mode: 0o600 });
  } catch {
    // Nowhere left to report to; the drain's exit code still says it failed.
  }
}
