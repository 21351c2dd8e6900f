// install / uninstall: put our block into the hook files git (or husky, or lefthook) will run, and
// take exactly that block out again. Never rewrites anything outside our markers.
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Context } from '../app/context.js';
import { HOOK_NAMES, type HookName } from '../core/events.js';
import { git } from '../git/exec.js';
import { tempBeside } from '../fs/durable-write.js';
import { NOTES_REF } from '../git/notes.js';
import { withIdentity } from '../git/identity.js';
import { emptyTree } from '../git/tree.js';
import { findBlock, insertBlock, isShellScript, removeBlock, replaceBlock, withFlags } from './block.js';
import { isLefthookHook, lefthookBlock, localConfigName } from './lefthook.js';
import { locateHooks, type HookSetup } from './locate.js';
import { hookBlock, standaloneHook } from './template.js';

export type FileAction =
  | 'created' // new file holding our block
  | 'added' // our block added to the user's existing file
  | 'unchanged' // already there, current version
  | 'replaced' // our older block swapped for this version (--force)
  | 'outdated' // an older block of ours is there; --force would replace it
  | 'skipped' // not a shell script: left alone
  | 'printed' // a config we may not edit: the entry is in the advice
  | 'removed' // our block taken out, the user's file is as it was
  | 'deleted'; // a file we had created, removed

export interface FileResult {
  what: HookName | 'lefthook';
  path: string;
  action: FileAction;
  note?: string;
}

export interface InstallReport {
  setup: HookSetup;
  files: FileResult[];
  /** git config changes made. */
  config: string[];
  /** Things the user has to do or should know, one line each. */
  advice: string[];
}

/** Write a file whole through a unique temp name + rename, keeping (or setting) its mode. */
function writeAtomic(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempBeside(path);
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

const readOrNull = (p: string): string | null => (existsSync(p) ? readFileSync(p, 'utf8') : null);
const modeOf = (p: string): number => statSync(p).mode & 0o7777;

/** Put one hook's block into one file (a git hook or a husky hook file). */
function installInto(path: string, hook: HookName, force: boolean): FileResult {
  const block = hookBlock(hook);
  const text = readOrNull(path);
  if (text === null) {
    writeAtomic(path, insertBlock(null, block), 0o755);
    return { what: hook, path, action: 'created' };
  }
  const found = findBlock(text);
  if (found) {
    if (found.body === block) return { what: hook, path, action: 'unchanged' };
    if (!force) return { what: hook, path, action: 'outdated', note: 'holds an older git-backup block; git backup install --force updates it' };
    writeAtomic(path, replaceBlock(text, block), modeOf(path));
    return { what: hook, path, action: 'replaced' };
  }
  if (!isShellScript(text)) {
    const shebang = (text.split('\n')[0] ?? '').trim();
    return { what: hook, path, action: 'skipped', note: `not a shell script (${shebang}); have it run ${hook} from git-backup's hooks/ yourself` };
  }
  const mode = modeOf(path);
  writeAtomic(path, insertBlock(text, block), mode);
  const note = mode & 0o111 ? undefined : 'not executable, so git does not run it (git left it that way; so do we)';
  return { what: hook, path, action: 'added', ...(note ? { note } : {}) };
}

function uninstallFrom(path: string, what: FileResult['what']): FileResult | null {
  const text = readOrNull(path);
  if (text === null) return null;
  const r = removeBlock(text);
  if (!r.found) return null;
  if (r.deleteFile) {
    unlinkSync(path);
    return { what, path, action: 'deleted' };
  }
  writeAtomic(path, r.text, modeOf(path));
  return { what, path, action: 'removed' };
}

async function setNotesConfig(ctx: Context): Promise<string[]> {
  const cwd = ctx.repo.worktree;
  const done: string[] = [];
  const refs = await git(['config', '--get-all', 'notes.rewriteRef'], { cwd, okCodes: [1] });
  if (!refs.stdout.split('\n').includes(NOTES_REF)) {
    await git(['config', '--add', 'notes.rewriteRef', NOTES_REF], { cwd });
    done.push(`notes.rewriteRef += ${NOTES_REF} (amend and rebase carry our notes)`);
  }
  // git warns "notes ref refs/notes/backups is invalid" on every amend while the ref does not exist
  // (before the first backup): start it as an empty notes tree, only if nobody made it meanwhile.
  const exists = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd, okCodes: [1] });
  if (exists.code !== 0) {
    const tree = await emptyTree(ctx.repo);
    const made = await withIdentity(ctx.repo, (identity) => git(['commit-tree', tree, '-m', 'git-backup: notes start'], { cwd, env: identity }));
    const commit = made.stdout.trim();
    const started = await git(['update-ref', NOTES_REF, commit, ''], { cwd, okCodes: [128] });
    if (started.code === 0) done.push(`${NOTES_REF} started empty (so git does not warn about it on amend)`);
  }
  const strategy = await git(['config', '--get', 'notes.backups.mergeStrategy'], { cwd, okCodes: [1] });
  if (strategy.stdout.trim() !== 'cat_sort_uniq') {
    await git(['config', 'notes.backups.mergeStrategy', 'cat_sort_uniq'], { cwd });
    done.push('notes.backups.mergeStrategy = cat_sort_uniq (notes from two clones merge without conflict)');
  }
  return done;
}

/** The event log exists, 0600, before any hook appends to it (a hook would create it with its umask). */
export function ensureEventLog(storeDir: string): void {
  const log = join(storeDir, 'events.log');
  closeSync(openSync(log, 'a', 0o600));
}

/** Where lefthook mode keeps the standalone hook scripts its config runs. */
export const lefthookScriptDir = (ctx: Context) => join(ctx.store.paths.dir, 'hooks');

/** Our hooks for which lefthook has not written `<hooks dir>/<hook>` (`lefthook install` has not run since they were added). */
function hooksLefthookDoesNotRun(gitHooksDir: string): HookName[] {
  return HOOK_NAMES.filter((hook) => !isLefthookHook(readOrNull(join(gitHooksDir, hook)), hook));
}

async function installLefthook(ctx: Context, setup: HookSetup, force: boolean, report: InstallReport): Promise<void> {
  const scriptDir = lefthookScriptDir(ctx);
  mkdirSync(scriptDir, { recursive: true, mode: 0o700 });
  for (const hook of HOOK_NAMES) writeAtomic(join(scriptDir, hook), standaloneHook(hook), 0o700);
  const block = lefthookBlock(HOOK_NAMES, scriptDir);
  const local = localConfigName(setup.lefthookConfig!);
  const path = join(ctx.repo.worktree, local);
  const text = readOrNull(path);
  const isYaml = /\.ya?ml$/.test(local);
  if (text === null && isYaml) {
    writeAtomic(path, withFlags(block, ['created']), 0o644);
    report.files.push({ what: 'lefthook', path, action: 'created' });
  } else if (text !== null && findBlock(text)) {
    const found = findBlock(text)!;
    if (found.body === block) report.files.push({ what: 'lefthook', path, action: 'unchanged' });
    else if (force) {
      writeAtomic(path, replaceBlock(text, block), modeOf(path));
      report.files.push({ what: 'lefthook', path, action: 'replaced' });
    } else report.files.push({ what: 'lefthook', path, action: 'outdated', note: 'git backup install --force updates it' });
  } else {
    report.files.push({ what: 'lefthook', path, action: 'printed' });
    report.advice.push(`${local} is yours${isYaml ? '' : ' and not YAML'}: add these entries to it, then run lefthook install:`, ...block.trimEnd().split('\n'));
  }
  // lefthook merges lefthook-local.yml at run time, but writes .git/hooks/<hook> only for the hooks
  // its config names when `lefthook install` runs (its automatic sync does not look at the local file).
  const notRun = hooksLefthookDoesNotRun(setup.gitHooksDir);
  if (notRun.length) {
    report.advice.push(`lefthook: now run \`lefthook install\` (or npx lefthook install): git does not run ${notRun.join(', ')} through lefthook until it has`);
  }
  const ignored = await git(['check-ignore', '-q', '--', local], { cwd: ctx.repo.worktree, okCodes: [1, 128] });
  if (ignored.code !== 0 && report.files.some((f) => f.what === 'lefthook' && f.action !== 'printed')) {
    report.advice.push(`${local} is not ignored by git: add it to .gitignore (it holds paths into this clone's store)`);
  }
}

export async function installHooks(ctx: Context, opts: { force: boolean }): Promise<InstallReport> {
  const setup = await locateHooks(ctx.repo);
  const report: InstallReport = { setup, files: [], config: [], advice: [] };
  ensureEventLog(ctx.store.paths.dir);
  if (setup.mode === 'lefthook') await installLefthook(ctx, setup, opts.force, report);
  else {
    const dir = setup.mode === 'husky' ? setup.huskyDir! : setup.gitHooksDir;
    for (const hook of HOOK_NAMES) report.files.push(installInto(join(dir, hook), hook, opts.force));
  }
  if (setup.mode === 'husky' && setup.huskyInactive) {
    report.advice.push(`husky is not active in this clone (core.hooksPath is not ${join(setup.huskyDir!, '_')}): run npx husky, or the hooks in ${setup.huskyDir} do not run`);
  }
  if (setup.preCommit) {
    report.advice.push(
      'pre-commit framework found: if you let it install post-commit, post-merge, post-rewrite or pre-push hooks ' +
        '(pre-commit install -t …), it keeps ours as <hook>.legacy and still runs it; run git backup status afterwards to check',
    );
  }
  report.config = await setNotesConfig(ctx);
  return report;
}

export async function uninstallHooks(ctx: Context): Promise<InstallReport> {
  const setup = await locateHooks(ctx.repo);
  const report: InstallReport = { setup, files: [], config: [], advice: [] };
  // Look everywhere we may have put a block, whatever the mode is now: managers come and go.
  const dirs = new Set([setup.gitHooksDir, join(ctx.repo.commonDir, 'hooks')]);
  if (setup.huskyDir) dirs.add(setup.huskyDir);
  for (const dir of dirs) {
    for (const hook of HOOK_NAMES) {
      const r = uninstallFrom(join(dir, hook), hook);
      if (r) report.files.push(r);
    }
  }
  if (setup.lefthookConfig) {
    const r = uninstallFrom(join(ctx.repo.worktree, localConfigName(setup.lefthookConfig)), 'lefthook');
    if (r) report.files.push(r);
  }
  const scriptDir = lefthookScriptDir(ctx);
  for (const hook of HOOK_NAMES) if (existsSync(join(scriptDir, hook))) unlinkSync(join(scriptDir, hook));
  report.advice.push('git config notes.rewriteRef and notes.backups.mergeStrategy are left as they are: they keep existing notes intact');
  return report;
}
