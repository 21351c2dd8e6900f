'use strict';
// Loads a bundle of dist/bundle/ with V8's code cache beside it, so a start does not compile the
// half-megabyte bundle again: ~15 ms per command and hook, measured in BENCHMARKS.md (start-up).
// Node 20 has no compile cache for ES modules, so the bundles are CommonJS and go through
// vm.Script, which takes and makes cached code.
//
// The build writes each cache after a training run (scripts/train-code-cache.cjs). V8 checks a
// cache against the source's length and its own version and flags only, and checks no checksum (a
// flipped byte was used as it was, or crashed node), so the file is
//   CRC-32 of the bundle's source (4 bytes) | CRC-32 of the V8 data (4 bytes) | V8 data
// and is given to V8 only when both match, as Node 22's own compile cache does: a bundle edited by
// hand, even to the same length, or a damaged cache, is compiled as it is. A missing or refused
// cache (another Node) is written again after the command where the directory is writable, through
// a temporary file and a rename; any failure there is ignored: a cache only saves time.
// GIT_BACKUP_DEBUG=1 says on stderr whether the cache was used.
const fs = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLES = join(__dirname, '..', 'dist', 'bundle');
const HEAD = 8;
const TEMP = /\.cache\.\d+\.tmp$/;

/**
 * CRC-32 of data: zlib's native crc32 without node:zlib's JavaScript, which loads the stream
 * modules (2–3 ms of every start by --cpu-prof, BENCHMARKS.md start-up); node:zlib's own crc32
 * (Node >= 20.15) where that binding is not offered; before Node 20.15, the first bytes of a SHA-1.
 */
function digestOf(data) {
  const native = nativeCrc32();
  if (native) return native(data, 0) >>> 0;
  const { crc32 } = require('node:zlib');
  if (typeof crc32 === 'function') return crc32(data) >>> 0;
  return require('node:crypto').createHash('sha1').update(data).digest().readUInt32BE(0);
}

let nativeCrc;
function nativeCrc32() {
  if (nativeCrc !== undefined) return nativeCrc;
  nativeCrc = null;
  if (typeof process.binding !== 'function') return nativeCrc;
  // process.binding warns (DEP0111) under --pending-deprecation in any of its spellings, and
  // --throw-deprecation would make that warning fatal: silenced for this one call, whatever the flags.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const { crc32 } = process.binding('zlib');
    // The check value of CRC-32: a binding that computes anything else is not used.
    if (typeof crc32 === 'function' && crc32(Buffer.from('123456789'), 0) >>> 0 === 0xcbf43926) nativeCrc = crc32;
  } catch {
    // a permission model, or a Node without it: node:zlib instead
  } finally {
    process.noDeprecation = quiet;
  }
  return nativeCrc;
}

/** A regular file's bytes, or null: never blocks on a FIFO or reads a device. */
function readRegularFile(path) {
  let fd;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd) : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The cache's V8 data for this source, or undefined (none, of another source, or damaged). */
function cacheFor(path, sourceDigest) {
  const bytes = readRegularFile(path);
  if (bytes === null || bytes.length <= HEAD || bytes.readUInt32BE(0) !== sourceDigest) return undefined;
  const data = bytes.subarray(HEAD);
  return digestOf(data) === bytes.readUInt32BE(4) ? data : undefined;
}

/**
 * Load dist/bundle/<name> and return its exports, and `settle()` to call once the command is done:
 * it writes the cache when there was none to use.
 */
function loadBundle(name) {
  const file = join(BUNDLES, name);
  const bytes = fs.readFileSync(file);
  const cachePath = `${file}.cache`;
  // GIT_BACKUP_CODE_CACHE=0: neither read nor written (the start-up benchmark's baseline).
  const off = process.env.GIT_BACKUP_CODE_CACHE === '0';
  const sourceDigest = off ? 0 : digestOf(bytes);
  const cachedData = off ? undefined : cacheFor(cachePath, sourceDigest);
  const script = new Script(wrap(bytes.toString('utf8')), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  if (process.env.GIT_BACKUP_DEBUG === '1') {
    const verdict = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
    process.stderr.write(`git backup: code cache of ${name}: ${verdict}\n`);
  }
  const settle = () => {
    if (off || cacheUsed) return;
    saveCache(cachePath, sourceDigest, script);
  };
  return { exports: mod.exports, settle, script, sourceDigest, cachePath, cacheUsed };
}

function saveCache(cachePath, sourceDigest, script) {
  const dir = dirname(cachePath);
  try {
    // A read-only install: not even the serialization is paid.
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return;
  }
  const tmp = `${cachePath}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const head = Buffer.alloc(HEAD);
    head.writeUInt32BE(sourceDigest, 0);
    head.writeUInt32BE(digestOf(data), 4);
    fs.writeFileSync(tmp, Buffer.concat([head, data]));
    fs.renameSync(tmp, cachePath);
    removeOldTemps(dir);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // a directory we cannot write in: nothing was left there either
    }
  }
}

/** Temp files of writers killed before their rename (a minute old: no writer takes that long). */
function removeOldTemps(dir) {
  for (const name of fs.readdirSync(dir)) {
    if (!TEMP.test(name)) continue;
    try {
      const p = join(dir, name);
      if (Date.now() - fs.statSync(p).mtimeMs > 60_000) fs.rmSync(p, { force: true });
    } catch {
      // gone already
    }
  }
}

module.exports = { loadBundle, saveCache };
