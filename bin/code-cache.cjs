'use strict';
// Loads a bundle of dist/bundle/ with V8's code cache beside it, so a start does not compile the
// half-megabyte bundle again: ~13 ms of compiling per command and hook, measured in BENCHMARKS.md
// (start-up). Node 20 has no compile cache for ES modules, so the bundles are CommonJS and go
// through vm.Script, which takes and makes cached code.
//
// The build writes each cache after a training run (scripts/train-code-cache.cjs). V8 checks a
// cache against the source's length and its own version and flags only, so the cache also starts
// with the bundle's build id (the first line the build writes, `//gb-build <id>`): a cache of another
// build is never used. V8 checks no checksum either, so the id is followed by a CRC-32 of the V8
// data, checked before V8 sees it. A missing or rejected cache (another Node) is written again after the command,
// where the directory is writable, through a temporary file and a rename; any failure there is
// ignored: a cache only saves time. GIT_BACKUP_DEBUG=1 says on stderr whether the cache was used.
const { readFileSync, writeFileSync, renameSync, rmSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLES = join(__dirname, '..', 'dist', 'bundle');
const ID_LINE = /^\/\/gb-build ([0-9a-f]{16})\n/;

// A CRC-32 of the V8 data, as Node 22's own compile cache keeps: V8 checks no checksum, and a
// flipped byte was used as it was or crashed node. zlib.crc32 (Node ≥ 20.15) takes ~2 ms here;
// before it, SHA-1 (~5 ms with loading node:crypto).
const DIGEST = 4;

function digestOf(data) {
  const { crc32 } = require('node:zlib');
  const out = Buffer.alloc(DIGEST);
  if (typeof crc32 === 'function') out.writeUInt32BE(crc32(data));
  else require('node:crypto').createHash('sha1').update(data).digest().copy(out, 0, 0, DIGEST);
  return out;
}

/** The cache's V8 data for this build, or undefined (none yet, of another build, or damaged). */
function cacheFor(path, id) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const head = id === null ? 0 : id.length + DIGEST;
  if (head === 0 || bytes.length <= head || bytes.toString('latin1', 0, id.length) !== id) return undefined;
  const data = bytes.subarray(head);
  return digestOf(data).equals(bytes.subarray(id.length, head)) ? data : undefined;
}

/**
 * Load dist/bundle/<name> and return its exports, and `settle()` to call once the command is done:
 * it writes the cache when there was none to use.
 */
function loadBundle(name) {
  const file = join(BUNDLES, name);
  const source = readFileSync(file, 'utf8');
  const id = ID_LINE.exec(source)?.[1] ?? null;
  const cachePath = `${file}.cache`;
  // GIT_BACKUP_CODE_CACHE=0: neither read nor written (the start-up benchmark's baseline).
  const off = process.env.GIT_BACKUP_CODE_CACHE === '0';
  const cachedData = off ? undefined : cacheFor(cachePath, id);
  const script = new Script(wrap(source), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  if (process.env.GIT_BACKUP_DEBUG === '1') {
    const verdict = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
    process.stderr.write(`git backup: code cache of ${name}: ${verdict}\n`);
  }
  const settle = () => {
    if (off || id === null || (cachedData && !script.cachedDataRejected)) return;
    saveCache(cachePath, id, script);
  };
  return { exports: mod.exports, settle, script, id, cachePath };
}

function saveCache(cachePath, id, script) {
  const tmp = `${cachePath}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    writeFileSync(tmp, Buffer.concat([Buffer.from(id, 'latin1'), digestOf(data), data]));
    renameSync(tmp, cachePath);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // a directory we cannot write in: nothing was left there either
    }
  }
}

module.exports = { loadBundle, saveCache };
