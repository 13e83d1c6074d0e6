import assert from "node:assert/strict";
import { sparkline } from "./sparkline.ts";

Deno.test("counts scale to the largest shown: eight levels, zero is a gap", () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 20), " ▁▂▃▄▅▆▇█");
  assert.equal(sparkline([16, 8, 1], 20), "█▄▁", "small non-zero counts still show");
  assert.equal(sparkline([0, 0, 0], 20), "   ");
  assert.equal(sparkline([], 20), "");
});

Deno.test("only the newest values that fit are drawn, scaled among themselves", () => {
  assert.equal(sparkline([100, 1, 2], 2), "▄█");
  assert.equal(sparkline([1, 2, 3], 0), "");
  assert.equal(sparkline([1, 2, 3], -4), "");
});
