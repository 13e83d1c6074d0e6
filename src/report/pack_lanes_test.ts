import assert from "node:assert/strict";
import { packLanes } from "./pack_lanes.ts";

function pack(intervals: [number, number, number][], hosts: number) {
  const n = intervals.length;
  const ids = Uint32Array.from({ length: n }, (_, k) => k);
  const host = Uint32Array.from(intervals.map((x) => x[0]));
  const start = Float64Array.from(intervals.map((x) => x[1]));
  const finish = Float64Array.from(intervals.map((x) => x[2]));
  const r = packLanes(ids, host, start, finish, hosts);
  return { lane: [...r.lane], lanesPerHost: [...r.lanesPerHost], order: [...r.order] };
}

Deno.test("each host gets as many lanes as it ran intervals at once, lowest lane first", () => {
  // host 0: [0,10) [1,3) [2,4) [3,5) [4,6); host 1: [0,1) [1,2) [0.5,9)
  const r = pack([
    [0, 0, 10],
    [0, 1, 3],
    [0, 2, 4],
    [0, 3, 5], // lane of [1,3) is free at 3
    [0, 4, 6], // lane of [2,4) free at 4
    [1, 0, 1],
    [1, 1, 2], // reuses lane 0 at the instant it frees
    [1, 0.5, 9],
  ], 2);
  assert.deepEqual(r.lane, [0, 1, 2, 1, 2, 0, 0, 1]);
  assert.deepEqual(r.lanesPerHost, [3, 2]);
});

Deno.test("intervals given out of order are packed by start time", () => {
  const r = pack([[0, 5, 6], [0, 0, 10], [0, 6, 7], [0, 2, 5.5]], 1);
  // [0,10) → 0, [2,5.5) → 1, [5,6) → 2 (nothing free yet), [6,7) → 1 (both freed; lowest)
  assert.deepEqual(r.lane, [2, 0, 1, 1]);
  assert.deepEqual(r.lanesPerHost, [3]);
  assert.deepEqual(r.order, [1, 3, 0, 2]);
});

Deno.test("no intervals, no lanes", () => {
  assert.deepEqual(pack([], 3), { lane: [], lanesPerHost: [0, 0, 0], order: [] });
});
