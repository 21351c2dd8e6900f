// uvu's `test`, for a file the runner may split into processes: with TEST_SHARD=k/n (set by
// test/run.js) only every n-th test from the k-th on is registered, so n processes run the file's
// tests between them, each test exactly once. Without TEST_SHARD every test runs (a file run by
// hand, `node dist/test/x.test.js`). The runner splits a file only when it imports this module and
// its last run took long (see test/run.js); code at the top of the file runs in every shard, so a
// file whose tests share an expensive set-up keeps importing `test` from uvu instead.
import { test as uvuTest } from 'uvu';

function parseShard(spec: string | undefined): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec ?? '');
  if (!m) return { k: 1, n: 1 };
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw new Error(`TEST_SHARD=${spec}: expected k/n with 1 <= k <= n`);
  return { k, n };
}

const { k, n } = parseShard(process.env.TEST_SHARD);
let registered = 0;

/** TEST_TIMES=1: each test's wall time on stderr, to find where a slow file spends it. */
function timed(args: Parameters<typeof uvuTest>): Parameters<typeof uvuTest> {
  if (process.env.TEST_TIMES !== '1') return args;
  const [name, fn] = args as unknown as [string, (ctx: unknown) => unknown];
  const wrapped = async (ctx: unknown) => {
    const t = Date.now();
    try {
      return await fn(ctx);
    } finally {
      process.stderr.write(`[time] ${((Date.now() - t) / 1000).toFixed(1)} s  ${name}\n`);
    }
  };
  return [name, wrapped] as unknown as Parameters<typeof uvuTest>;
}

/** uvu's test (its hooks and run() included); a call registers the test only in its own shard. */
export const test: typeof uvuTest = new Proxy(uvuTest, {
  apply(target, thisArg, args: Parameters<typeof uvuTest>) {
    const i = registered++;
    if (i % n === k - 1) Reflect.apply(target, thisArg, timed(args));
  },
});
