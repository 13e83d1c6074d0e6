import assert from "node:assert/strict";
import { after, every } from "./timer.ts";

/** Resolves after `ms` on a plain timer (the test's own clock). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  await sleep(5);
  assert.deepEqual(runs, []);
  await sleep(80);
  assert.deepEqual(runs, ["a"]);
  assert.ok(at >= 29, `ran after ${at} ms`);
});

Deno.test("every: repeats until cancelled, also from inside its callback", async () => {
  let n = 0;
  const t = every(10, () => {
    n++;
    if (n === 3) t.cancel();
  });
  await sleep(150);
  assert.equal(n, 3);
  let m = 0;
  const u = every(10, () => m++);
  await sleep(55);
  u.cancel();
  const seen = m;
  assert.ok(seen >= 2, `ran ${seen} times in 55 ms`);
  await sleep(40);
  assert.equal(m, seen);
});
