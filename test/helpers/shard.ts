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

/** uvu's test (its hooks and run() included); a call registers the test only in its own shard. */
export const test: typeof uvuTest = new Proxy(uvuTest, {
  apply(target, thisArg, args: Parameters<typeof uvuTest>) {
    const i = registered++;
    if (i % n === k - 1) Reflect.apply(target, thisArg, args);
  },
});
