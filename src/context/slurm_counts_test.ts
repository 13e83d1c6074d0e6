import assert from "node:assert/strict";
import { decodeSlurmCounts, SlurmCountsError } from "./slurm_counts.ts";

Deno.test("decodeSlurmCounts expands V(xM) items", () => {
  assert.deepEqual(decodeSlurmCounts("4,1(x2)"), [4, 1, 1]);
  assert.deepEqual(decodeSlurmCounts("40,128(x3)"), [40, 128, 128, 128]);
  assert.deepEqual(decodeSlurmCounts("2(x3)"), [2, 2, 2]);
  assert.deepEqual(decodeSlurmCounts("8"), [8]);
  assert.deepEqual(decodeSlurmCounts("2,1(x3)"), [2, 1, 1, 1]);
});

Deno.test("decodeSlurmCounts rejects garbage", () => {
  for (const bad of ["", "x", "4,", "4(2)", "4(x)", "-1"]) {
    assert.throws(() => decodeSlurmCounts(bad), SlurmCountsError, bad);
  }
});
