// Scratch space: random-named temporary directories (mkdtemp), an empty HOME, and the environment
// every child process of the benchmarks runs with (no system or user git config, fixed identity).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Scratch {
  private readonly dirs: string[] = [];
  readonly home: string;

  constructor() {
    this.home = this.dir('home');
  }

  /** A fresh empty directory under the system temp dir, removed by cleanup(). */
  dir(label: string): string {
    const d = mkdtempSync(join(tmpdir(), `gb-bench-${label}-`));
    this.dirs.push(d);
    return d;
  }

  /**
   * The environment for git and the CLI: inherited PATH etc., minus any GIT_* of the caller and
   * what changes every Node start. NODE_EXTRA_CA_CERTS (set on the machines these benchmarks ran on)
   * parses a CA bundle at each start: about 45 ms added to `node -e 0` and to every command alike,
   * which flattered every ratio against `node -e 0` until 2026-12-03. A user's Node has none.
   */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    const dropped = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && !dropped.has(k)) env[k] = v;
    return {
      ...env,
      HOME: this.home,
      XDG_CONFIG_HOME: join(this.home, '.config'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Bench Author',
      GIT_AUTHOR_EMAIL: 'author@bench.invalid',
      GIT_COMMITTER_NAME: 'Bench Committer',
      GIT_COMMITTER_EMAIL: 'committer@bench.invalid',
      LC_ALL: 'C',
      NO_COLOR: '1',
    };
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0).reverse()) rmSync(d, { recursive: true, force: true });
  }
}
