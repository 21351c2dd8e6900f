// The export format: git-config syntax, so the file is also something git itself reads: it can be
// pulled in with `git config include.path FILE`, or read back with `git backup config import FILE`.
// (`config export --json` prints a JSON object instead; import reads that too.)
import { invalidError } from './errors.js';
import type { ConfigEntry } from './config-parse.js';

/** `[backup "retention"]`-style text for canonical key names (`backup.retention.created`). */
export function toGitConfigText(pairs: readonly (readonly [string, string])[]): string {
  const sections = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const parts = name.split('.');
    const last = parts.pop()!;
    const [section, ...sub] = parts;
    const header = sub.length ? `[${section} "${sub.join('.')}"]` : `[${section}]`;
    sections.set(header, [...(sections.get(header) ?? []), `\t${last} = ${quote(value)}`]);
  }
  const lines = ['# git-backup configuration (git backup config export); read back with: git backup config import FILE'];
  for (const [header, body] of sections) lines.push(header, ...body);
  return lines.join('\n') + '\n';
}

/** Always double-quoted, with git's escapes, so `;`, `#`, spaces and quotes survive. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** A JSON export (`{"backup.x": "v", "backup.sensitive": ["a", "b"]}`) as config entries. */
export function entriesFromJson(text: string, file: string): ConfigEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalidError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidError(`${file}: expected a JSON object of "backup.KEY": "VALUE"`);
  const entries: ConfigEntry[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw invalidError(`${file}: ${key}: values must be strings (or lists of strings for backup.sensitive)`);
      entries.push({ key, value: String(v), scope: 'file', origin: `file:${file}` });
    }
  }
  return entries;
}

export const looksLikeJson = (text: string): boolean => text.trimStart().startsWith('{');
