// The exit codes and BackupError, for every layer above core: they live in core/errors.ts so the
// pure core imports nothing outside itself, and this one line keeps `../errors.js` short elsewhere.
export * from './core/errors.js';
