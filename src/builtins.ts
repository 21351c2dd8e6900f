// Node builtins that a read-only command never uses but that cost its start-up to load: node:crypto
// and node:child_process take about 4 ms each of a 30 ms Node start (`status` finds the repository
// and the configuration without git: git/discover.ts, config/cache.ts). Loaded at first use; every
// module takes them from here rather than importing them at the top.
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
type ChildProcess = typeof import('node:child_process');
type Zlib = typeof import('node:zlib');

const load = createRequire(import.meta.url);
let crypto: Crypto | undefined;
let childProcess: ChildProcess | undefined;
let zlib: Zlib | undefined;

export const nodeCrypto = (): Crypto => (crypto ??= load('node:crypto') as Crypto);
export const nodeChildProcess = (): ChildProcess => (childProcess ??= load('node:child_process') as ChildProcess);
export const nodeZlib = (): Zlib => (zlib ??= load('node:zlib') as Zlib);
