import assert from "node:assert/strict";
import { formatDuration, formatRate } from "./format_duration.ts";

Deno.test("formatDuration picks the shortest exact form", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(59.9), "0:59");
  assert.equal(formatDuration(61), "1:01");
  assert.equal(formatDuration(3600 + 62), "1:01:02");
  assert.equal(formatDuration(86_400 * 2 + 3600 * 5 + 60 * 7 + 9), "2d 05:07");
  assert.equal(formatDuration(-5), "0:00");
});

Deno.test("formatRate switches to per minute below one a second", () => {
  assert.equal(formatRate(0), "0/s");
  assert.equal(formatRate(Number.NaN), "0/s");
  assert.equal(formatRate(123.4), "123/s");
  assert.equal(formatRate(2.25), "2.3/s");
  assert.equal(formatRate(0.5), "30.0/min");
});
