// `git backup config` on a terminal: walk through the main choices (a template, or retention of
// CONFIRMED backups, the auto-cleanup confidence, the quota and the disk strategy), each answer
// checked as it is typed, then everything validated together and written at once.
import { invalidError } from '../errors.js';
import { defaultConfig, findKey, fullName, type KeyDef } from '../core/config-keys.js';
import { TEMPLATES, TEMPLATE_NAMES } from '../core/config-templates.js';
import { evaluateConfig } from '../config/load.js';
import type { LocalChanges } from '../config/write.js';
import { applyAndReport, applyTemplate, parseTemplate } from './config-io.js';
import type { ConfigContext } from './define.js';

const QUESTIONS: readonly { key: string; ask: string }[] = [
  { key: 'retention.confirmed', ask: 'How long to keep a backup once its work is in the integration branch (90m, 36h, 14d, 2w)' },
  { key: 'autoCleanupConfidence', ask: 'Archive automatically only at or above this confidence (0 to 1)' },
  { key: 'disk.quota', ask: 'Most disk space backups may use (500M, 2G, none)' },
  { key: 'disk.strategy', ask: 'Under disk pressure, clean up: conservative, aggressive or nuclear' },
];

const MAX_TRIES = 3;

export async function runConfigWizard(ctx: ConfigContext): Promise<void> {
  const { io } = ctx;
  const current = (await evaluateConfig(ctx.repo)).config;
  io.err('Set up how git backup cleans up in this repository. Enter keeps the value in [brackets]; Ctrl-C stops, nothing is written until the end.');
  for (const name of TEMPLATE_NAMES) io.err(`  ${name.padEnd(13)} ${TEMPLATES[name].describe}`);
  const start = await askValid(ctx, `Start from a template (${TEMPLATE_NAMES.join(', ')}) or custom [custom]: `, (a) => (a === '' || a.toLowerCase() === 'custom' ? 'custom' : parseTemplate(a)));
  if (start !== 'custom') {
    await applyTemplate(ctx, start, false);
    return;
  }
  const changes: LocalChanges = new Map();
  for (const q of QUESTIONS) {
    const k = findKey(q.key)!;
    const shown = k.render(current).join(', ');
    const answer = await askValid(ctx, `${q.ask} [${shown}]: `, (a) => (a === '' ? null : check(k, a)));
    if (answer !== null && answer !== shown) changes.set(k, [answer]);
  }
  if (changes.size === 0) {
    io.err('nothing changed');
    return;
  }
  const confirm = (await io.ask(`Write ${changes.size} setting${changes.size === 1 ? '' : 's'} to this repository's git config? [Y/n]: `)).trim().toLowerCase();
  if (confirm !== '' && confirm !== 'y' && confirm !== 'yes') {
    io.err('nothing written');
    return;
  }
  await applyAndReport(ctx, changes, false, 'configuration written');
}

/** The answer in canonical form, or an error naming the key. */
function check(k: KeyDef, answer: string): string {
  const probe = defaultConfig();
  const error = k.apply(probe, [answer]);
  if (error) throw invalidError(`${fullName(k)}: ${error}`);
  return k.render(probe).join(', ');
}

/** Ask until `parse` accepts the answer; a BackupError's message is shown and the question repeated. */
async function askValid<T>(ctx: ConfigContext, question: string, parse: (answer: string) => T): Promise<T> {
  for (let i = 1; ; i++) {
    const answer = (await ctx.io.ask(question)).trim();
    try {
      return parse(answer);
    } catch (e) {
      if (i >= MAX_TRIES) throw e;
      ctx.io.err(e instanceof Error ? e.message : String(e));
    }
  }
}
