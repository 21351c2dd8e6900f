// One-line memos in the store's cache (`<key> <value>`): what git answered for an input that cannot
// change its answer (a commit's tree, the tree of an index's exact bytes), kept so that the next
// backup need not ask. Replaced whole by rename; a memo that is missing, torn or for another key is
// no answer, and the caller asks git.
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function readMemo(file: string, key: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (!text.startsWith(key + ' ') || !text.endsWith('\n')) return null;
  const value = text.slice(key.length + 1, -1);
  return value.includes('\n') ? null : value;
}

export async function writeMemo(file: string, key: string, value: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(tmp, `${key} ${value.replace(/\n/g, ' ')}\n`, { mode: 0o600 }); // the store's files are 0600 (README)
    await rename(tmp, file);
  } catch {
    await unlink(tmp).catch(() => undefined); // a memo only
  }
}
