// Time enters the core only as a value. The edge that reads it honours GIT_BACKUP_NOW
// (an ISO-8601 instant) so tests can move the clock; it is documented as test-only.
export function now(env: NodeJS.ProcessEnv = process.env): Date {
  const fixed = env.GIT_BACKUP_NOW;
  if (fixed) {
    const d = new Date(fixed);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date();
}
