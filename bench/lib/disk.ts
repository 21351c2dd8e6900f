// How many bytes a directory holds (apparent sizes of regular files, recursively).
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function treeBytes(dir: string): number {
  let total = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) total += treeBytes(p);
    else if (ent.isFile()) total += lstatSync(p).size;
  }
  return total;
}
