// Globs for `backup.sensitive`, matched against repository-relative paths with `/` separators.
// The syntax is the familiar gitignore subset, so users need learn nothing new:
//   *      any characters except /          ?      one character except /
//   **     any number of whole directories  [abc] [a-z] [!abc]   one character of (or not of) a set
//   \x     the character x itself
// A glob without a / (like `*.pem` or `.env`) matches the file name at any depth; a glob with a /
// (like `config/secrets/*` or `/credentials.json`) is anchored at the top of the repository.
// Node 20 has no stable glob matcher (path.matchesGlob is experimental), hence this small one.

/** The anchored RegExp for a glob, or null for text that is not a usable glob. */
export function compileGlob(glob: string): RegExp | null {
  if (glob === '' || /[\x00\n\r]/.test(glob)) return null;
  const anchored = glob.replace(/\/+$/, '').includes('/');
  let body = glob.replace(/^\//, '').replace(/\/+$/, '');
  if (body === '' || body.split('/').includes('..')) return null;
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      if (i + 1 >= body.length) return null;
      re += escapeChar(body[++i]!);
    } else if (c === '*') {
      if (body[i + 1] === '*') {
        const atStart = i === 0 || body[i - 1] === '/';
        const atEnd = i + 2 === body.length || body[i + 2] === '/';
        if (!atStart || !atEnd) return null; // `a**b` is ambiguous; git treats it as `*`, we refuse it
        if (i + 2 === body.length) re += '.*';
        else {
          re += '(?:.*/)?';
          i++; // the slash after ** is part of the group
        }
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = body.indexOf(']', i + 2);
      if (close < 0) return null;
      let set = body.slice(i + 1, close);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      if (set === '') return null;
      re += `[${negate ? '^/' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += escapeChar(c);
  }
  // A bare name matches at any depth; a matching directory covers everything below it.
  const prefix = anchored ? '^' : '^(?:.*/)?';
  try {
    return new RegExp(`${prefix}${re}(?:/.*)?$`);
  } catch {
    return null;
  }
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Whether a repository-relative path matches any of the globs (invalid globs match nothing). */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  const p = path.replace(/^\.\//, '');
  return globs.some((g) => compileGlob(g)?.test(p) ?? false);
}
