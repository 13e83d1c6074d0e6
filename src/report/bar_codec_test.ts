import assert from "node:assert/strict";
import { type Bars, decodeBars, encodeBars } from "./bar_codec.ts";

function bars(lanes: [number, number, number, number, number][][]): Bars {
  const all = lanes.flat();
  return {
    laneCounts: Uint32Array.from(lanes.map((l) => l.length)),
    start: Float64Array.from(all.map((b) => b[0])),
    finish: Float64Array.from(all.map((b) => b[1])),
    outcome: Uint8Array.from(all.map((b) => b[2])),
    taskId: Int32Array.from(all.map((b) => b[3])),
    line: Int32Array.from(all.map((b) => b[4])),
  };
}

Deno.test("bars round-trip with millisecond times relative to t0", () => {
  const t0 = 1_796_394_692.524;
  const b = bars([
    [[t0, t0 + 0.018, 0, 0, 1], [t0 + 0.5, t0 + 3600.25, 1, 7, 9]],
    [],
    [[t0 + 0.001, t0 + 0.001, 4, 2_000_000_000, 3], [t0 + 86_400 * 60, t0 + 86_400 * 61, 3, 5, 6]],
  ]);
  const d = decodeBars(encodeBars(b, t0));
  assert.deepEqual([...d.laneStart], [0, 2, 2, 4]);
  assert.deepEqual([...d.start], [0, 0.5, 0.001, 5_184_000]);
  assert.deepEqual([...d.finish], [0.018, 3600.25, 0.001, 5_270_400]);
  assert.deepEqual([...d.outcome], [0, 1, 4, 3]);
  assert.deepEqual([...d.taskId], [0, 7, 2_000_000_000, 5]);
  assert.deepEqual([...d.line], [1, 9, 3, 6]);
});

Deno.test("a finish before its start is drawn as an instant", () => {
  const d = decodeBars(encodeBars(bars([[[10, 9, 0, 1, 2]]]), 10));
  assert.deepEqual([...d.start, ...d.finish], [0, 0]);
});

Deno.test("no lanes", () => {
  const d = decodeBars(encodeBars(bars([]), 0));
  assert.deepEqual([...d.laneStart], [0]);
  assert.equal(d.start.length, 0);
});

Deno.test("decodeBars refers to nothing outside itself (it runs in the page)", () => {
  const t0 = 5;
  const bytes = encodeBars(bars([[[5, 6, 0, 1, 2]]]), t0);
  const standalone = new Function(`return (${decodeBars.toString()})`)() as typeof decodeBars;
  assert.deepEqual([...standalone(bytes).finish], [1]);
});
