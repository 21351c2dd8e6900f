// Our marked block inside a hook file: render, insert, find, remove. Pure text functions, so the
// promise "uninstall leaves the file byte-identical" is tested without git or a file system.
//
// The block always sits right after the shebang line (or first, without one), so it runs before any
// `exit` in the user's code and is the first thing in a husky file. Its BEGIN line carries flags
// for what install did besides inserting it, so uninstall can undo exactly that:
//   created  - the file did not exist; we wrote `#!/bin/sh\n` + block (delete it when nothing else is left)
//   newline  - the shebang had no line end; we added one before the block (remove it again)
import type { HookName } from '../core/events.js';
import { STDIN_HOOKS } from '../core/events.js';

export const BLOCK_BEGIN = '# >>> git-backup >>>';
export const BLOCK_END = '# <<< git-backup <<<';
export const NEW_FILE_SHEBANG = '#!/bin/sh\n';
export const BLOCK_VERSION = 'hook block v1';

export type BlockFlag = 'created' | 'newline';

/**
 * The block for one hook from templates/hook-block.sh (whose first line is BLOCK_BEGIN): its
 * leading comments, then its code as one single-quoted word given to `eval`. sh parses a function
 * only when it reaches it, and parsing our code is most of what the hook costs (0.3 ms of 1 ms);
 * a quoted word is only scanned. So a commit a rebase replays, which has nothing to record (the
 * rebase's post-rewrite follows), skips the code after two `[` tests and costs what an empty hook does.
 */
export function renderBlock(template: string, hook: HookName): string {
  if (!template.startsWith(BLOCK_BEGIN + '\n') || !template.endsWith(BLOCK_END + '\n')) {
    throw new Error('hook template must start with the BEGIN marker line and end with the END marker line');
  }
  const lines = template
    .replaceAll('@HOOK@', hook)
    .replaceAll('@STDIN@', STDIN_HOOKS.includes(hook) ? '1' : '0')
    .replaceAll('@TAB@', '\t')
    .replaceAll('@VERSION@', BLOCK_VERSION)
    .split('\n');
  let codeAt = 1;
  while (lines[codeAt]?.startsWith('#')) codeAt++;
  const code = lines.slice(codeAt, -2).join('\n'); // up to the END line (the text ends with a newline)
  // Skipped only when the rebase will end with post-rewrite if it runs to its end: it has rewritten
  // a commit already (rewritten-list), or this commit is one it replays (author-script, written for
  // each pick). A commit made at a `break` or by an `exec` in a rebase that rewrote nothing yet must
  // still record: such a rebase ends without post-rewrite, and nothing else would drain. (Left with
  // `--quit`, a rebase runs no hook at all: its commits are judged at the next git event.)
  const rm = '"${GIT_DIR:-.git}/rebase-merge';
  const guard = hook === 'post-commit' ? `{ [ -s ${rm}/rewritten-list" ] || [ -f ${rm}/author-script" ]; } || ` : '';
  return `${lines.slice(0, codeAt).join('\n')}\n${guard}eval '\n${code.replaceAll("'", "'\\''")}\n'\n${BLOCK_END}\n`;
}

export function withFlags(block: string, flags: BlockFlag[]): string {
  return flags.length === 0 ? block : `${BLOCK_BEGIN} ${flags.join(',')}${block.slice(BLOCK_BEGIN.length)}`;
}

export interface FoundBlock {
  /** Offset of the BEGIN line's first byte. */
  start: number;
  /** Offset just past the END line's newline (or the end of the text). */
  end: number;
  flags: BlockFlag[];
  /** The block's text without flags, for comparing with a fresh render. */
  body: string;
}

/** Our block, if the text has one: markers must start a line. */
export function findBlock(text: string): FoundBlock | null {
  let start = -1;
  for (let at = text.indexOf(BLOCK_BEGIN); at >= 0; at = text.indexOf(BLOCK_BEGIN, at + 1)) {
    if (at === 0 || text[at - 1] === '\n') {
      start = at;
      break;
    }
  }
  if (start < 0) return null;
  const lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0) return null;
  const endMarker = text.indexOf('\n' + BLOCK_END, lineEnd);
  if (endMarker < 0) return null;
  const endLineEnd = text.indexOf('\n', endMarker + 1);
  const end = endLineEnd < 0 ? text.length : endLineEnd + 1;
  const flags = text
    .slice(start + BLOCK_BEGIN.length, lineEnd)
    .trim()
    .split(',')
    .filter((f): f is BlockFlag => f === 'created' || f === 'newline');
  const body = BLOCK_BEGIN + text.slice(lineEnd, end);
  return { start, end, flags, body };
}

/**
 * Insert the block into a hook's text (null: no file yet). The text must not already hold one.
 * Returns the new text.
 */
export function insertBlock(text: string | null, block: string): string {
  if (text === null) return NEW_FILE_SHEBANG + withFlags(block, ['created']);
  if (findBlock(text)) throw new Error('the hook already holds a git-backup block');
  if (!text.startsWith('#!')) return block + text;
  const nl = text.indexOf('\n');
  if (nl < 0) return text + '\n' + withFlags(block, ['newline']);
  return text.slice(0, nl + 1) + block + text.slice(nl + 1);
}

export interface Removed {
  text: string;
  found: boolean;
  /** We created the file and nothing else is left in it (our shebang at most): delete it. */
  deleteFile: boolean;
}

/** Remove exactly what insertBlock added. */
export function removeBlock(text: string): Removed {
  const b = findBlock(text);
  if (!b) return { text, found: false, deleteFile: false };
  let start = b.start;
  if (b.flags.includes('newline') && start > 0 && text[start - 1] === '\n') start -= 1;
  const out = text.slice(0, start) + text.slice(b.end);
  return { text: out, found: true, deleteFile: b.flags.includes('created') && (out === NEW_FILE_SHEBANG || out === '') };
}

/** Swap our block for a fresh render (install --force after an upgrade), keeping its flags. */
export function replaceBlock(text: string, block: string): string {
  const b = findBlock(text);
  if (!b) throw new Error('the hook holds no git-backup block');
  return text.slice(0, b.start) + withFlags(block, b.flags) + text.slice(b.end);
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh', 'posh', 'yash']);

/**
 * Whether our sh block may go into this hook: no shebang (git runs it with sh), or a shebang naming
 * a POSIX-family shell directly or through env. A python or node hook must not get sh lines.
 */
export function isShellScript(text: string): boolean {
  if (!text.startsWith('#!')) return true;
  const line = text.slice(2, (text.indexOf('\n') + 1 || text.length + 1) - 1).trim();
  const words = line.split(/\s+/).filter(Boolean);
  let prog = words[0] ?? '';
  if (prog.endsWith('/env')) prog = words.slice(1).find((w) => !w.startsWith('-')) ?? '';
  return SHELLS.has(prog.slice(prog.lastIndexOf('/') + 1).replace(/\r$/, ''));
}
