// One-line memos in the store's cache (`<key> <value>`): what git answered for an input that cannot
// change its answer (a commit's tree, the tree of an index's exact bytes), kept so that the next
// backup need not ask. Replaced whole by rename; a memo that is missing, torn or for another key is
// no answer, and the caller asks git.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceWhole } from '../fs/durable-write.js';

export async function readMemo(file: string, key: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (!text.startsWith(key + ' ') || !text.endsWith('\n')) return null;
  const value = text.slice(key.length + 1, -1);
  return value.includes('\n') ? null : value;
}

/** 0600 like the store's other files (README). */
export async function writeMemo(file: string, key: string, value: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await replaceWhole(file, `${key} ${value.replace(/\n/g, ' ')}\n`);
  } catch {
    // a memo only
  }
}
