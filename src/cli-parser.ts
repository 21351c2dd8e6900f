// The full command line: yargs (strict) parses and validates, then one command runs. Loaded by
// cli.ts only when its fast path does not apply. Command modules are imported only when their
// command runs.
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { BackupError, ExitCode, usageError } from './errors.js';
import { withContext } from './app/context.js';
import { configCommand, jsonOpt } from './cli-config.js';
import { parseState } from './core/query.js';
import type { BackupState } from './core/types.js';
import type { CreateArgs } from './commands/create.js';
import { packageVersion } from './package-root.js';

const EPILOGUE = 'Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 invalid transition or value, 4 not found, 5 store busy, 6 deferred to a higher-priority trigger, 7 store damaged, 8 CI check failed, 9 needs --yes or --force.\nDocs: README.md of git-backup, or man git-backup.';

const idArg = (y: Argv) => y.positional('id', { type: 'string', describe: 'backup id or a unique prefix of 8+ characters', demandOption: true });
const stringList = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
/** Positional paths plus everything after `--` (which yargs keeps apart). */
const pathArgs = (a: { paths?: unknown; '--'?: unknown }): string[] => [...stringList(a.paths), ...stringList(a['--'])];

type Handler = (argv: ArgumentsCamelCase) => Promise<void>;
/** Command name → what runs it; filled as the parser is built, used once parsing is done. */
const handlers = new Map<string, Handler>();

/**
 * A yargs command definition without a yargs handler: yargs only parses and validates, and the
 * handler runs after parsing. Registered with a handler, yargs renders the whole help text on every
 * run to cache it (~10 ms of each command's start-up, measured), which nothing here needs.
 */
function def<U>(command: string, describe: string, builder: (y: Argv) => Argv<U>, handler: (a: ArgumentsCamelCase<U>) => Promise<void>) {
  handlers.set(command.split(' ')[0]!, handler as Handler);
  return [command, describe, builder] as const;
}

function bulk(verb: 'confirm' | 'cleanup' | 'archive' | 'delete', describe: string) {
  return def(
    `${verb} <ids..>`,
    describe,
    (y: Argv) =>
      y
        .positional('ids', { type: 'string', array: true, describe: 'backup ids or unique prefixes' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation' })
        .option('force', { type: 'boolean', default: false, describe: 'allow a move the lifecycle forbids (recorded as forced)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print what would happen, change nothing' })
        .option('reason', { type: 'string', describe: 'why, kept in the history' })
        .option('json', jsonOpt),
    (a: Record<string, unknown>) =>
      withContext(async (ctx) => {
        const { runBulk } = await import('./commands/transition.js');
        await runBulk(ctx, verb, {
          ids: stringList(a.ids),
          yes: Boolean(a.yes),
          force: Boolean(a.force),
          dryRun: Boolean(a.dryRun),
          reason: a.reason as string | undefined,
          json: Boolean(a.json),
        });
      }),
  );
}

function undoDef(kind: 'undo' | 'redo', describe: string) {
  return def(
    kind === 'undo' ? 'undo [id]' : 'redo',
    describe,
    (y: Argv) =>
      (kind === 'undo' ? y.positional('id', { type: 'string', describe: 'put the tree back to this backup instead' }) : y)
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not show the preview and ask (on a terminal)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'show what would change, change nothing' })
        .option('json', jsonOpt),
    (a: Record<string, unknown>) =>
      withContext(async (ctx) =>
        (await import('./commands/undo.js')).runUndo(ctx, kind, {
          id: typeof a.id === 'string' ? a.id : null,
          yes: Boolean(a.yes),
          dryRun: Boolean(a.dryRun),
          json: Boolean(a.json),
        }),
      ),
  );
}

export function buildParser(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('git backup')
    .usage('git backup <command> [options]\n\nBackups of your working tree that follow your work through git (commit, merge) until they are provably safe to delete.')
    .command(...def('init', 'create the backup store of this repository (idempotent)', (y) => y.option('json', jsonOpt), (a) =>
      withContext(async (ctx) => (await import('./commands/init.js')).runInit(ctx, { json: Boolean(a.json) })),
    ))
    .command(...def(
      'create [paths..]',
      'take a backup of the working tree (tracked files, staged state, untracked files)',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, describe: 'limit the backup to these paths (ignored or not)' })
          .option('message', { alias: 'm', type: 'string', default: '', describe: 'what this backup is for' })
          .option('include-ignored', { type: 'boolean', default: false, describe: 'also capture ignored files' })
          .option('pin', { type: 'boolean', default: false, describe: 'protect it from automatic cleanup' })
          .option('label', { type: 'string', array: true, default: [], describe: 'a label (repeatable)' })
          .option('allow-empty', { type: 'boolean', default: false, describe: 'take it even when nothing changed, or when the newest backup already holds exactly this' })
          .option('json', jsonOpt)
          .example('git backup create -m "before codemod"', 'back up everything')
          .example('git backup create -- src/app.ts .env', 'back up two paths only'),
      (a) => withContext(async (ctx) => (await import('./commands/create.js')).runCreate(ctx, createArgs(a))),
    ))
    .command(...def(
      'list',
      'list backups (all but DELETED unless --state says otherwise)',
      (y) =>
        y
          .option('state', { type: 'string', array: true, describe: 'only these states (repeatable)', coerce: (v: unknown) => stringList(v).map(parseState) })
          .option('sort', { choices: ['age', 'size', 'confidence'] as const, default: 'age' as const, describe: 'newest first, largest first, or most confident first' })
          .option('limit', { type: 'number', describe: 'at most N backups', coerce: positiveInt('--limit') })
          .option('label', { type: 'string', array: true, default: [], describe: 'only backups carrying this label (repeatable: all of them)' })
          .option('branch', { type: 'string', describe: 'only backups taken on this branch' })
          .option('grep', { type: 'string', describe: 'only backups whose message contains TEXT (any case)' })
          .option('since', { type: 'string', describe: 'only backups taken since DURATION ago (36h, 14d) or DATE (2026-11-20)' })
          .option('json', jsonOpt)
          .example('git backup list --label run:1a2b3c4d', 'the before/after pair of one run'),
      (a) =>
        withContext(async (ctx) =>
          (await import('./commands/list.js')).runList(ctx, {
            state: (a.state ?? []) as BackupState[],
            sort: a.sort,
            limit: (a.limit as number | undefined) ?? null,
            json: a.json,
            find: { label: stringList(a.label), branch: a.branch ?? null, grep: a.grep ?? null, since: a.since ?? null },
          }),
        ),
    ))
    .command(...def('show <id>', 'show one backup: metadata, content size, history', (y) => idArg(y).option('json', jsonOpt), (a) =>
      withContext(async (ctx) => (await import('./commands/show.js')).runShow(ctx, { id: a.id, json: a.json })),
    ))
    .command(...def('status', 'counts per state, total size, where the store lives, hooks installed, hook events waiting', (y) => y.option('json', jsonOpt), (a) =>
      withContext(async (ctx) => (await import('./commands/list.js')).runStatus(ctx, { json: a.json })),
    ))
    .command(...def(
      'transition <id> <state>',
      'move a backup to another lifecycle state',
      (y) =>
        idArg(y)
          .positional('state', { type: 'string', demandOption: true, describe: 'CREATED, PENDING, CONFIRMED, CLEANABLE, ARCHIVED or DELETED', coerce: parseState })
          .option('reason', { type: 'string', describe: 'why, kept in the history' })
          .option('force', { type: 'boolean', default: false, describe: 'allow a move the lifecycle forbids (recorded as forced)' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask before DELETED' })
          .option('json', jsonOpt),
      (a) =>
        withContext(async (ctx) =>
          (await import('./commands/transition.js')).runTransition(ctx, {
            id: a.id,
            state: a.state as BackupState,
            reason: a.reason,
            force: a.force,
            yes: a.yes,
            json: a.json,
          }),
        ),
    ))
    .command(...bulk('confirm', 'mark backups CONFIRMED: their work is in the integration branch'))
    .command(...bulk('cleanup', 'mark backups CLEANABLE: they may be cleaned up'))
    .command(...bulk('archive', 'archive CONFIRMED or CLEANABLE backups: a verified .tar.gz (path, mode and hash of every file checked), then the ref goes; restore and diff still work'))
    .command(...bulk('delete', 'delete backups (removes the ref, or the archive; keeps a tombstone). CREATED/PENDING also need --force'))
    .command(...def('pin <id>', 'protect a backup from automatic cleanup', idArg, (a) =>
      withContext(async (ctx) => (await import('./commands/pin.js')).runPin(ctx, { id: a.id }, true)),
    ))
    .command(...def('unpin <id>', 'let automatic cleanup consider a backup again', idArg, (a) =>
      withContext(async (ctx) => (await import('./commands/pin.js')).runPin(ctx, { id: a.id }, false)),
    ))
    .command(...def(
      'restore <id> [paths..]',
      'write a backup\'s files back (first backing up every file it would overwrite)',
      (y) =>
        idArg(y)
          .positional('paths', { type: 'string', array: true, describe: 'only these files or directories' })
          .option('to', { type: 'string', describe: 'restore into DIR instead of the working tree (must not hold different files)' })
          .option('sparse', { type: 'boolean', default: true, describe: 'in a sparse checkout, write only paths inside it (--no-sparse writes all)' })
          .option('json', jsonOpt)
          .example('git backup restore 20261121-1030 -- src/', 'bring back src/ only'),
      (a) =>
        withContext(async (ctx) =>
          (await import('./commands/restore.js')).runRestore(ctx, { id: a.id, to: a.to, paths: pathArgs(a), json: a.json, sparse: a.sparse }),
        ),
    ))
    .command(...def(
      'diff <id> [other]',
      'show what changed between a backup and the working tree (or a second backup: what a run did)',
      (y) =>
        idArg(y)
          .positional('other', { type: 'string', describe: 'compare with this backup instead of the working tree' })
          .option('stat', { type: 'boolean', default: false, describe: 'a summary per file instead of a patch' })
          .option('json', { ...jsonOpt, describe: 'one JSON document: each changed file with its status and line counts' })
          .example('git backup diff BEFORE AFTER', 'what a `git backup run` command changed'),
      (a) => withContext(async (ctx) => (await import('./commands/diff.js')).runDiff(ctx, { id: a.id, other: a.other ?? null, stat: a.stat, json: a.json })),
    ))
    .command(...def(
      'run [command..]',
      'run a command between two backups: an undo point before, a backup after if it changed anything; exits with its status',
      (y) =>
        y
          .positional('command', { type: 'string', array: true, describe: 'the command and its arguments, after --' })
          .option('message', { alias: 'm', type: 'string', default: '', describe: 'what the pair of backups is for (default: the command)' })
          .option('label', { type: 'string', array: true, default: [], describe: 'a label on both backups (repeatable)' })
          .example('git backup run -- npx codemod src/', 'undoable: git backup undo puts the tree back')
          .example('git backup run -m "agent session" -- claude', 'anything the agent changes, by any means'),
      (a) =>
        withContext(async (ctx) =>
          (await import('./commands/run.js')).runRun(ctx, { command: pathArgs({ paths: a.command, '--': a['--'] }), message: a.message, label: stringList(a.label) }),
        ),
    ))
    .command(...undoDef('undo', 'put the working tree back to before the last run, restore or redo (or to backup ID); redo reverses it'))
    .command(...undoDef('redo', 'reverse the last undo'))
    .command(...def(
      'log [id]',
      'transition history of all backups, or of one',
      (y) => y.positional('id', { type: 'string', describe: 'one backup' }).option('json', jsonOpt),
      (a) => withContext(async (ctx) => (await import('./commands/show.js')).runLog(ctx, { id: a.id, json: a.json })),
    ))
    .command(...def(
      'reconcile',
      'move backups CREATED -> PENDING -> CONFIRMED from repository facts (commits, merges, rebases, squashes)',
      (y) =>
        y
          .option('dry-run', { type: 'boolean', default: false, describe: 'print what would move, change nothing' })
          .option('json', jsonOpt)
          .epilogue('Moves are recorded with trigger GIT_HOOK (git facts drive them). See docs/reconcile.md.'),
      (a) => withContext(async (ctx) => (await import('./commands/reconcile.js')).runReconcile(ctx, { json: a.json, dryRun: a.dryRun })),
    ))
    .command(...def(
      'tick',
      'apply the cleanup policies now: time retention and keep rules, then disk thresholds and quota',
      (y) =>
        y
          .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan (each move: id, from -> to, why, confidence), change nothing' })
          .option('json', jsonOpt)
          .example('git backup tick --dry-run', 'what the policies would do now')
          .epilogue('Hook drains run the same checks at most once per backup.check.interval. See docs/policies.md.'),
      (a) => withContext(async (ctx) => (await import('./commands/tick.js')).runTick(ctx, { dryRun: a.dryRun, json: a.json })),
    ))
    .command(...def(
      'emergency',
      'free disk space now with the nuclear strategy: delete every backup but pinned and un-integrated work (asks twice)',
      (y) =>
        y
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask (required without a terminal)' })
          .option('force', { type: 'boolean', default: false, describe: 'also delete CREATED and PENDING work (not yet integrated)' })
          .option('json', jsonOpt)
          .epilogue('Shows the plan first. Pinned backups are never removed. Without a terminal it refuses (exit 9) unless --yes.'),
      (a) => withContext(async (ctx) => (await import('./commands/tick.js')).runEmergency(ctx, { yes: a.yes, force: a.force, json: a.json })),
    ))
    .command(...def(
      'sync [remote]',
      'fetch, merge (cat_sort_uniq) and push refs/notes/backups, so clones share backup histories',
      (y) => y.positional('remote', { type: 'string', default: 'origin', describe: 'the remote to sync with' }).option('json', jsonOpt),
      (a) => withContext(async (ctx) => (await import('./commands/sync.js')).runSync(ctx, { remote: a.remote, json: a.json })),
    ))
    .command(...def(
      'recover',
      'check the store against refs/backups/* and the notes, and repair what is safe',
      (y) =>
        y
          .option('rebuild', { type: 'boolean', default: false, describe: 'rebuild db.json from refs and notes alone (keeps the old one as db.json.before-rebuild)' })
          .option('json', jsonOpt),
      (a) => withContext(async (ctx) => (await import('./commands/recover.js')).runRecover(ctx, { rebuild: a.rebuild, json: a.json })),
    ))
    .command(...def(
      'verify [ids..]',
      'check every archive (sha256, then every path, mode and blob hash against its manifest) and every live backup\'s ref and snapshot; exit 3 when one fails',
      (y) => y.positional('ids', { type: 'string', array: true, describe: 'only these backups (default: all but DELETED)' }).option('json', jsonOpt),
      (a) => withContext(async (ctx) => (await import('./commands/verify.js')).runVerify(ctx, { ids: stringList(a.ids), json: a.json })),
    ))
    .command(...def(
      'gc',
      'prune objects only deleted or archived backups held (git decides reachability); reports bytes freed',
      (y) =>
        y
          .option('now', { type: 'boolean', default: false, describe: 'prune now instead of after gc.pruneExpire (default 2 weeks)' })
          .option('json', jsonOpt)
          .epilogue('Runs git repack -A --unpack-unreachable=<expiry> (only when there are packs) and git prune --expire=<expiry>; never touches reflogs. See docs/archive.md.'),
      (a) => withContext(async (ctx) => (await import('./commands/gc.js')).runGc(ctx, { now: a.now, json: a.json })),
    ))
    .command(...def(
      'ci',
      'check recorded histories (from the notes) and age limits; exit 8 when a check fails',
      (y) =>
        y
          .option('max-age', { type: 'string', array: true, default: [], describe: 'STATE=DURATION, e.g. PENDING=14d (units m, h, d, w); repeatable' })
          .option('json', jsonOpt)
          .example('git backup ci --max-age PENDING=14d', 'fail when work was committed but not merged for two weeks')
          .epilogue('Reads refs/notes/backups; on a fresh clone fetch them first: git fetch origin refs/notes/backups:refs/notes/backups'),
      (a) => withContext(async (ctx) => (await import('./commands/ci.js')).runCi(ctx, { maxAge: stringList(a.maxAge), json: a.json })),
    ))
    // config's subcommands run their own yargs handlers; this one only runs for a bare `config`.
    .command(
      ...def(configCommand[0], configCommand[1], configCommand[2], async (a) => {
        if (a._.length <= 1) await configCommand[3](a);
      }),
    )
    .command(...def(
      'install',
      'install the git hooks that move backups along as you commit, merge, rebase and push (adds a marked block; never replaces your hooks; husky and lefthook aware)',
      (y) =>
        y
          .option('force', { type: 'boolean', default: false, describe: 'replace older git-backup blocks with this version (never touches anything else)' })
          .option('agent', { type: 'string', describe: 'instead: a checkpoint per turn and per file-changing tool call of this coding agent (claude-code)' })
          .option('json', jsonOpt)
          .example('git backup install --agent claude-code', 'hook entries merged into .claude/settings.local.json'),
      (a) => withContext(async (ctx) => (await import('./commands/install.js')).runInstall(ctx, { force: a.force, json: a.json, agent: a.agent ?? null })),
    ))
    .command(...def(
      'uninstall',
      'remove exactly the blocks install added (your hook files end up byte-identical to before)',
      (y) => y.option('agent', { type: 'string', describe: 'instead: remove the entries install --agent added' }).option('json', jsonOpt),
      (a) => withContext(async (ctx) => (await import('./commands/install.js')).runUninstall(ctx, { json: a.json, agent: a.agent ?? null })),
    ))
    .command(...def(
      'hook <name> [args..]',
      'what the hook templates call (drain, pre-rebase, agent); see git backup hook --help',
      (y) => y.positional('name', { type: 'string', describe: 'drain, pre-rebase or agent' }).positional('args', { type: 'string', array: true }),
      // bin/git-backup.js sends `hook` to this fast path before yargs loads; this covers main() callers.
      async (a) => {
        const { hookMain } = await import('./hook/main.js');
        const code = await hookMain([String(a.name), ...stringList(a.args)]);
        if (code !== ExitCode.OK) throw new BackupError(code as ExitCode, `git backup hook ${String(a.name)} failed`);
      },
    ))
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .parserConfiguration({ 'populate--': true })
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .epilogue(EPILOGUE)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs reports a failed coerce() as its own YError carrying our message: still a usage error.
      if (err && !(err instanceof BackupError) && err.name === 'YError') throw usageError(`${err.message}; see git backup --help`);
      if (err) throw err;
      throw usageError(`${msg}; see git backup --help`);
    });
}

function positiveInt(name: string) {
  return (v: unknown): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw usageError(`${name} wants a whole number of 1 or more, not ${JSON.stringify(v)}`);
    return n;
  };
}

/** `create`'s arguments from what yargs parsed (cli-fast.ts must give the same for what it takes). */
export function createArgs(a: Record<string, unknown>): CreateArgs {
  return {
    message: String(a.message ?? ''),
    includeIgnored: Boolean(a.includeIgnored),
    pin: Boolean(a.pin),
    label: stringList(a.label),
    paths: pathArgs(a),
    json: Boolean(a.json),
    allowEmpty: Boolean(a.allowEmpty),
  };
}

/** Every boolean option of every command (test/cli/docs.test.ts checks this against each --help). */
export const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set(['json', 'yes', 'force', 'dry-run', 'include-ignored', 'pin', 'now', 'rebuild', 'stat', 'allow-empty', 'sparse']);

/**
 * yargs reads `--json=maybe` as false without a word; a flag given a value that is not true or
 * false is a usage error instead.
 */
function rejectBooleanValues(argv: string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(arg);
    if (m && BOOLEAN_OPTIONS.has(m[1]!) && m[2] !== 'true' && m[2] !== 'false') {
      throw usageError(`--${m[1]} is a flag: give it alone (or =true/=false), not ${JSON.stringify(m[2])}; see git backup --help`);
    }
  }
}

/** Parse argv with yargs and run the command it names; errors are thrown for cli.ts to report. */
export async function parseAndRun(argv: string[]): Promise<void> {
  rejectBooleanValues(argv);
  const parsed = await buildParser(argv).parseAsync();
  const handler = handlers.get(String(parsed._[0]));
  if (!handler) throw usageError(`name a command; see git backup --help`);
  await handler(parsed);
}
