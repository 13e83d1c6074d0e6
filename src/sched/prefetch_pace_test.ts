import assert from "node:assert/strict";
import { PREFETCH_BELOW_S, PrefetchPace } from "./prefetch_pace.ts";

Deno.test("short tasks are prefetched; the first duration sets the pace", () => {
  assert.equal(new PrefetchPace().note(0.01), 1);
  assert.equal(new PrefetchPace().note(PREFETCH_BELOW_S), 0);
  assert.equal(new PrefetchPace().note(30), 0);
});

Deno.test("the pace is a moving average: one long task among short ones does not stop prefetch", () => {
  const p = new PrefetchPace();
  for (let i = 0; i < 10; i++) assert.equal(p.note(0.1), 1);
  assert.equal(p.note(2), 1); // 0.8 × 0.1 + 0.2 × 2 = 0.48
  assert.equal(p.note(5), 0); // 0.8 × 0.48 + 0.2 × 5 = 1.384
  let n = 0;
  while (p.note(0.1) === 0) n++;
  assert.equal(n, 1); // 1.384 → 1.127 → 0.922
});
