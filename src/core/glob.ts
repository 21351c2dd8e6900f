// backup.sensitive globs, matched the way .gitignore patterns read: `*` and `?` stay inside one
// path component, `**` crosses them, a pattern without a slash matches a file's name at any depth,
// and a pattern that matches a directory covers everything under it. (node's path.matchesGlob
// would do most of this but prints an ExperimentalWarning on Node 20, breaking one-line output.)

function toRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether repo-relative `path` is covered by any of `globs`. */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  const parts = path.split('/');
  return globs.some((raw) => {
    const glob = raw.replace(/^\/+|\/+$/g, '');
    if (!glob) return false;
    const re = toRegExp(glob);
    const anchored = glob.includes('/');
    for (let n = parts.length; n >= 1; n--) {
      // The path itself or one of its directories, whole (anchored) or by name (unanchored).
      if (anchored ? re.test(parts.slice(0, n).join('/')) : re.test(parts[n - 1]!)) return true;
    }
    return false;
  });
}
