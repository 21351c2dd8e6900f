// Whether our commits (a snapshot's three) may be written as objects by this process instead of by
// `git commit-tree`, and under which identities: a git process each is a third of a checkpoint's
// time (issue 10). Only where git's answer is certain from the configuration and the environment:
// the identity git would take is set outright (no passwd name, no host-derived address), needs no
// cleaning, and the object store is the plain one (SHA-1 ids, loose objects with the user's umask,
// no fsync asked for). Anything else: null, and `git commit-tree` writes them as before.
import type { ConfigEntry } from './config-parse.js';

export interface Ident {
  name: string;
  email: string;
}

export interface OwnCommits {
  author: Ident;
  committer: Ident;
}

/**
 * The configuration keys this needs beside `backup.*` (lowercased as git prints them), as a
 * regular-expression alternative for `git config --get-regexp`.
 */
export const OWN_COMMIT_KEYS =
  'user\\.(name|email|useconfigonly)|author\\.(name|email)|committer\\.(name|email)|i18n\\.commitencoding|core\\.(sharedrepository|fsync|fsyncobjectfiles|fsyncmethod)|extensions\\.objectformat';

/** Keys whose presence at all means git writes objects in a way we do not copy. */
const OBJECT_STORE_KEYS = new Set(['core.sharedrepository', 'core.fsync', 'core.fsyncobjectfiles', 'core.fsyncmethod']);
/** Environment that moves or changes the object store, or what git puts in a commit. */
const OBJECT_STORE_ENV = ['GIT_OBJECT_DIRECTORY', 'GIT_QUARANTINE_PATH', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'];

/** git's ident.c drops these at either end of a name or address, and these anywhere: we leave such values to git. */
const CRUD_AT_ENDS = /^[\0- .,:;<>"\\']|[\0- .,:;<>"\\']$/;
const DROPPED_INSIDE = /[<>\n\uFFFD]/; // and a name that was not UTF-8: its bytes are gone
const clean = (v: string | null | undefined): v is string => typeof v === 'string' && v !== '' && !CRUD_AT_ENDS.test(v) && !DROPPED_INSIDE.test(v);

export function ownCommits(entries: readonly ConfigEntry[], env: Readonly<Record<string, string | undefined>>): OwnCommits | null {
  const last = new Map<string, string | null>();
  for (const e of entries) last.set(e.key, e.value);
  if ([...last.keys()].some((k) => OBJECT_STORE_KEYS.has(k))) return null;
  const format = last.get('extensions.objectformat');
  if (format !== undefined && format?.toLowerCase() !== 'sha1') return null;
  const encoding = last.get('i18n.commitencoding');
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding ?? '')) return null;
  if (OBJECT_STORE_ENV.some((k) => env[k] !== undefined)) return null;
  // git's order: the role's variable, the role's key, user.*; an address may also come from EMAIL.
  const only = last.get('user.useconfigonly');
  const useConfigOnly = only !== undefined && !/^(false|no|off|0|)$/i.test(only ?? 'true');
  const pick = (...candidates: (string | null | undefined)[]) => candidates.find((v) => v !== undefined);
  const ident = (role: 'author' | 'committer'): Ident | null => {
    const upper = role.toUpperCase();
    const name = pick(env[`GIT_${upper}_NAME`], last.get(`${role}.name`), last.get('user.name'));
    const configured = pick(env[`GIT_${upper}_EMAIL`], last.get(`${role}.email`), last.get('user.email'));
    // With user.useConfigOnly git refuses an address from EMAIL where no *.email key is set (ident.c):
    // the backup then takes the fallback identity (git/identity.ts), which is git's to decide.
    if (configured === undefined && useConfigOnly) return null;
    const email = configured ?? env.EMAIL;
    return clean(name) && clean(email) ? { name, email } : null;
  };
  const author = ident('author');
  const committer = ident('committer');
  return author && committer ? { author, committer } : null;
}

/**
 * Whether `git commit-tree` would write `text` as it is. It refuses a message with a NUL, and its
 * UTF-8 check (commit.c, verify_utf8) takes the noncharacters U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF
 * for Latin-1 bytes and re-encodes them, in the identities as in the message: such a commit is left
 * to git, whose answer (or refusal) it is.
 */
export function keptAsIs(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return false;
  }
  return true;
}

/**
 * A commit object's text, byte for byte what `git commit-tree` writes for these inputs (no encoding
 * header, no signature; a parent named twice is kept once, as git does).
 */
export function commitText(c: { tree: string; parents: readonly string[]; author: Ident; committer: Ident; when: string; message: string }): string {
  const lines = [`tree ${c.tree}`, ...[...new Set(c.parents)].map((p) => `parent ${p}`), `author ${c.author.name} <${c.author.email}> ${c.when}`, `committer ${c.committer.name} <${c.committer.email}> ${c.when}`];
  return `${lines.join('\n')}\n\n${c.message}`;
}
