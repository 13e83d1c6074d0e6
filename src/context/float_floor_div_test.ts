import assert from "node:assert/strict";
import { floatFloorDiv } from "./float_floor_div.ts";

Deno.test("floatFloorDiv matches CPython on the appendix D examples", () => {
  const cases: [number, number, number][] = [
    [1, 0.1, 9],
    [2, 0.2, 9],
    [40, 0.1, 399],
    [5, 0.3, 16],
    [3, 0.3, 10],
    [8, 0.5, 16],
    [5, 2, 2],
    [5, 0.5, 10],
    [-7, 2, -4],
    [7, -2, -4],
  ];
  for (const [a, b, want] of cases) assert.equal(floatFloorDiv(a, b), want, `${a} // ${b}`);
});
