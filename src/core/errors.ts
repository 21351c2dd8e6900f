// Exit codes are part of the contract (design.md §Command line); every expected failure is a BackupError
// carrying one, and the command layer prints its message as the one line on stderr.

export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  INVALID: 3,
  NOT_FOUND: 4,
  LOCK_TIMEOUT: 5,
  DEFERRED: 6,
  STORE_DAMAGED: 7,
  CI_FAILED: 8,
  REFUSED: 9,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class BackupError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export const usageError = (msg: string) => new BackupError(ExitCode.USAGE, msg);
export const invalidError = (msg: string) => new BackupError(ExitCode.INVALID, msg);
export const notFoundError = (msg: string) => new BackupError(ExitCode.NOT_FOUND, msg);
export const refusedError = (msg: string) => new BackupError(ExitCode.REFUSED, msg);

/**
 * Not an error: `run` ends with its command's own exit status (any number 0–255), which is not one
 * of ours, and has nothing to add on stderr.
 */
export class PassThroughExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
    this.name = 'PassThroughExit';
  }
}
