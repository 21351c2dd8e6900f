// A progress line for long work (restore, undo, redo): on stderr, only when stderr is a terminal and
// the command's output is not JSON, at most ten updates a second, erased when the work ends so it
// never mixes with what the command prints after. Off a terminal it costs nothing.

export interface Progress {
  /** `done` of `total` units (bytes here); cheap to call often. */
  update(done: number): void;
  /** Erase the line. */
  end(): void;
}

const NONE: Progress = { update: () => undefined, end: () => undefined };

const MIB = 1024 * 1024;
const human = (n: number) => (n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

/**
 * A progress line saying `label` and how far it is, or a no-op when nobody watches. Small jobs show
 * nothing: the line appears only once the work has taken half a second.
 */
export function progressLine(label: string, total: number, opts: { json: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.json || !stream.isTTY || process.env.GIT_BACKUP_PROGRESS === '0') return NONE;
  // GIT_BACKUP_PROGRESS_AFTER_MS (tests): how long before the line shows.
  const after = Number(process.env.GIT_BACKUP_PROGRESS_AFTER_MS ?? 500);
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done) {
      const now = Date.now();
      if (now - started < after || now - last < 100) return;
      last = now;
      shown = true;
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      stream.write(`\r\x1b[K${label}: ${pct}% (${human(done)} of ${human(total)})`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
