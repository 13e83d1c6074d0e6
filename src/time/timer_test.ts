import assert from "node:assert/strict";
import { after, every } from "./timer.ts";

/** Resolves after `ms` on a plain timer (the test's own clock). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds, for at most 5 s (a loaded machine may be slow, never wrong). */
async function until(ok: () => boolean): Promise<void> {
  for (const end = Date.now() + 5_000; !ok();) {
    assert.ok(Date.now() < end, "timed out");
    await sleep(5);
  }
}

Deno.test("after: runs once when due, never once cancelled", async () => {
  const runs: string[] = [];
  const t0 = performance.now();
  let at = 0;
  after(30, () => {
    runs.push("a");
    at = performance.now() - t0;
  });
  const b = after(30, () => runs.push("b"));
  b.cancel();
  b.cancel();
  await until(() => runs.length > 0);
  assert.ok(at >= 29, `ran after ${at} ms`);
  await sleep(60);
  assert.deepEqual(runs, ["a"]);
});

Deno.test("after: a delay beyond 24.8 days does not fire at once (the runtime takes it as 1 ms)", async () => {
  let ran = false;
  const t = after(2 ** 31 + 1_000, () => ran = true);
  await sleep(60);
  assert.equal(ran, false);
  t.cancel();
});

Deno.test("every: repeats until cancelled, also from inside its callback", async () => {
  let n = 0;
  const t = every(10, () => {
    n++;
    if (n === 3) t.cancel();
  });
  await until(() => n === 3);
  await sleep(60);
  assert.equal(n, 3);
  let m = 0;
  const u = every(10, () => m++);
  await until(() => m >= 2);
  u.cancel();
  const seen = m;
  await sleep(60);
  assert.equal(m, seen);
});
