import type { BackupRecord } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';

/** restore and diff need the content (a snapshot, or the archive of an ARCHIVED one); say clearly when it is gone. */
export function requireContent(record: BackupRecord): void {
  if (record.state === 'DELETED') {
    throw new BackupError(ExitCode.INVALID, `${record.id} is DELETED; its content is gone (git backup show ${record.id} lists what was lost)`);
  }
}
