// The shape of a refused configuration value, shared by the config tests: exit 3 and one line on
// stderr that names the key (and the value, when given).
import * as assert from 'uvu/assert';
import type { CliResult } from './repo.js';

export function expectInvalid(r: CliResult, key: string, value?: string): void {
  assert.is(r.code, 3, `exit ${r.code}: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.includes(key), `names ${key}: ${lines[0]}`);
  if (value !== undefined) assert.ok(lines[0]!.includes(JSON.stringify(value)), `names the value ${value}: ${lines[0]}`);
}
