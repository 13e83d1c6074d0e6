import assert from "node:assert/strict";
import { RunSeries, sampleOf } from "./run_series.ts";
import { sampleEngine, sampleState } from "./sample_state.ts";

const at = (time: number, running: number, completed: number, slots = 8) => ({
  time,
  running,
  slots,
  completed,
});

Deno.test("samples fall in buckets: the most running and slots, the last completed count", () => {
  const s = new RunSeries(5, 10);
  s.add(at(1000.5, 3, 40));
  s.add(at(1002, 7, 42, 6));
  s.add(at(1004.9, 5, 45));
  s.add(at(1005, 2, 46));
  assert.deepEqual(s.points(), [
    { t: 1000, running: 7, slots: 8, completed: 45 },
    { t: 1005, running: 2, slots: 8, completed: 46 },
  ]);
  assert.deepEqual(s.completions(), [5, 1], "counted from the first sample, not from zero");
  assert.deepEqual(s.since(1005), [{ t: 1005, running: 2, slots: 8, completed: 46 }]);
  assert.deepEqual(s.since(1010), []);
});

Deno.test("buckets without samples repeat the last; a late sample counts in the last bucket", () => {
  const s = new RunSeries(1, 10);
  s.add(at(10, 4, 1));
  s.add(at(13.2, 1, 9));
  s.add(at(12, 6, 8));
  assert.deepEqual(s.points().map((p) => [p.t, p.running, p.completed]), [
    [10, 4, 1],
    [11, 4, 1],
    [12, 4, 1],
    [13, 6, 9],
  ]);
  assert.deepEqual(s.completions(), [0, 0, 0, 8]);
});

Deno.test("the ring keeps the last `capacity` buckets; counts stay per bucket", () => {
  const s = new RunSeries(1, 3);
  for (let t = 0; t < 6; t++) s.add(at(t, t, t * 10));
  assert.deepEqual(s.points().map((p) => p.t), [3, 4, 5]);
  assert.deepEqual(s.completions(), [10, 10, 10]);
  // A pause longer than the ring: only the new sample is left.
  s.add(at(100, 1, 70));
  assert.deepEqual(s.points().map((p) => p.t), [100]);
  assert.deepEqual(s.completions(), [20]);
  assert.throws(() => new RunSeries(0, 3), RangeError);
});

Deno.test("a snapshot's sample: slots of running and draining engines, completed = done", () => {
  const st = sampleState({
    engines: [
      sampleEngine({ rank: 0, cylinders: 4 }),
      sampleEngine({ rank: 1, cylinders: 2, status: "draining" }),
      sampleEngine({ rank: 2, cylinders: 8, status: "stopped" }),
      sampleEngine({ rank: 3, cylinders: 3, status: "starting" }),
    ],
  });
  assert.deepEqual(sampleOf(st), { time: 1_700_000_125, running: 9, slots: 6, completed: 450 });
});
