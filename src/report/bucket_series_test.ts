import assert from "node:assert/strict";
import { BucketSeries, bucketsFor } from "./bucket_series.ts";

const close = (a: Float64Array, b: number[]) =>
  assert.deepEqual([...a].map((x) => Math.round(x * 1e9) / 1e9), b);

Deno.test("buckets: at most max, none under a millisecond, at least one", () => {
  assert.deepEqual(bucketsFor(100, 110, 5), { t0: 100, width: 2, count: 5 });
  assert.deepEqual(bucketsFor(100, 100.002, 1000), { t0: 100, width: 0.001, count: 2 });
  assert.deepEqual(bucketsFor(100, 100, 1000), { t0: 100, width: 0.001, count: 1 });
});

Deno.test("coverage is the time-weighted mean per bucket", () => {
  const s = new BucketSeries({ t0: 0, width: 10, count: 4 });
  s.cover(5, 35); // half of bucket 0, all of 1 and 2, half of 3
  s.cover(12, 14, 2); // 2 × 0.2 in bucket 1
  s.cover(39, 60); // clipped at the end: 0.1 of bucket 3
  s.cover(-5, 2); // clipped at the start: 0.2 of bucket 0
  s.cover(20, 20); // zero length: nothing
  close(s.values(), [0.7, 1.4, 1, 0.6]);
});

Deno.test("counts go to the bucket of their time, clamped to the ends", () => {
  const s = new BucketSeries({ t0: 0, width: 10, count: 3 });
  for (const t of [0, 9.99, 10, 29, 30, 45, -1]) s.count(t);
  close(s.values(), [3, 1, 3]);
});
