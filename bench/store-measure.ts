// Measures the store with 10,000 records (design.md §Performance): read, update, file size, compact vs indented.
// usage: node dist/bench/store-measure.js [N]
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/store.js';
import { DurableJSONFile } from '../src/store/durable-file.js';
import { makeRecord } from '../test/store/fixtures/records.js';

const N = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
const ms = (t: bigint) => (Number(process.hrtime.bigint() - t) / 1e6).toFixed(1);
try {
  const store = await openStore(dir);
  const backups = Array.from({ length: N }, (_, i) => makeRecord(`20250102-030405-${i.toString(16).padStart(4, '0')}`));
  await new DurableJSONFile(store.paths.db).write({ schema: 1, generation: 1, backups });
  console.log(`records ${N}, db.json ${(statSync(store.paths.db).size / 1e6).toFixed(2)} MB`);
  for (let i = 0; i < 3; i++) {
    let t = process.hrtime.bigint();
    const data = await store.read();
    const r = ms(t);
    t = process.hrtime.bigint();
    await store.update((d) => void (d.backups[0]!.pinned = !d.backups[0]!.pinned));
    console.log(`read ${r} ms (${data.backups.length}), update ${ms(t)} ms`);
  }
  const text = readFileSync(store.paths.db, 'utf8');
  const obj = JSON.parse(text);
  let t = process.hrtime.bigint();
  const pretty = JSON.stringify(obj, null, 2);
  const sPretty = ms(t);
  t = process.hrtime.bigint();
  JSON.stringify(obj);
  const sCompact = ms(t);
  writeFileSync(join(dir, 'pretty.json'), pretty);
  t = process.hrtime.bigint();
  JSON.parse(readFileSync(join(dir, 'pretty.json'), 'utf8'));
  const pPretty = ms(t);
  t = process.hrtime.bigint();
  JSON.parse(readFileSync(store.paths.db, 'utf8'));
  const pCompact = ms(t);
  console.log(`compact ${(text.length / 1e6).toFixed(2)} MB: stringify ${sCompact} ms, read+parse ${pCompact} ms`);
  console.log(`indented ${(pretty.length / 1e6).toFixed(2)} MB: stringify ${sPretty} ms, read+parse ${pPretty} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
