// A progress line for long work (restore, undo and redo in bytes; create, archive, verify, gc and tick
// in steps): on stderr, only when stderr is a terminal and the command's output is not JSON, at most
// ten updates a second, erased when the work ends so it never mixes with what the command prints
// after. Off a terminal it costs nothing.

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

/** A line for work measured in steps rather than bytes (create, archive, verify, gc, tick). */
interface Activity {
  /** What is being done now ("writing the archive", "3 of 12"); cheap to call often. */
  step(text: string): void;
  /** Erase the line and stop its clock. */
  end(): void;
}

const IDLE_ACTIVITY: Activity = { step: () => undefined, end: () => undefined };

/**
 * `label: step (N s)` on stderr, for work whose size is not known in bytes: the elapsed seconds
 * tick on by themselves (a timer, unref'd, once a second) while a git child does the work, so a
 * long snapshot or repack is visibly alive. Same rules as progressLine: a terminal only, not with
 * JSON, not with GIT_BACKUP_PROGRESS=0, nothing for the first half second, at most ten writes a
 * second, erased at the end. `enabled` is the command's say (ctx.progress): a checkpoint taken
 * while an agent owns the terminal, or a hook, never shows one.
 */
function activityLine(label: string, opts: { enabled: boolean; stream?: NodeJS.WriteStream }): Activity {
  const stream = opts.stream ?? process.stderr;
  if (!opts.enabled || !stream.isTTY || process.env.GIT_BACKUP_PROGRESS === '0') return IDLE_ACTIVITY;
  const after = Number(process.env.GIT_BACKUP_PROGRESS_AFTER_MS ?? 500);
  const started = Date.now();
  let text = '';
  let last = 0;
  let shown = false;
  let ended = false;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (ended || text === '' || now - started < after || (shown && !force && now - last < 100)) return;
    last = now;
    shown = true;
    const secs = Math.floor((now - started) / 1000);
    stream.write(`\r\x1b[K${label}: ${text}${secs > 0 ? ` (${secs} s)` : ''}`);
  };
  const first = setTimeout(() => draw(true), after);
  const tick = setInterval(() => draw(true), 1_000);
  first.unref();
  tick.unref();
  return {
    step(t) {
      text = t;
      draw(false);
    },
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(first);
      clearInterval(tick);
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/**
 * Run `fn` with an activity line (the command's say in `enabled`, as activityLine), erased however
 * fn ends; fn reports its steps through the function it is given.
 */
export async function withActivity<T>(label: string, enabled: boolean, fn: (step: (text: string) => void) => Promise<T>): Promise<T> {
  const work = activityLine(label, { enabled });
  try {
    return await fn((text) => work.step(text));
  } finally {
    work.end();
  }
}
