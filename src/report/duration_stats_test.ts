import assert from "node:assert/strict";
import { durationHistogram, percentile } from "./duration_stats.ts";

Deno.test("nearest-rank percentiles", () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(s, 0.5), 5);
  assert.equal(percentile(s, 0.95), 10);
  assert.equal(percentile(s, 0), 1);
  assert.equal(percentile([7], 0.95), 7);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

Deno.test("log histogram: one bin per decade here, from the shortest's decade up", () => {
  const h = durationHistogram([0, 0.0005, 0.002, 0.5, 0.7, 3, 12, 99.9], 1);
  assert.deepEqual(h.edges.map((e) => Number(e.toPrecision(3))), [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(h.counts, [3, 0, 2, 1, 2]);
});

Deno.test("all durations equal: a single bin; none: empty", () => {
  const h = durationHistogram([2, 2, 2], 10);
  assert.equal(h.counts.length, 1);
  assert.equal(h.counts[0], 3);
  assert.ok(h.edges[0] <= 2 && 2 < h.edges[1]);
  assert.deepEqual(durationHistogram([], 10), { edges: [], counts: [] });
});
