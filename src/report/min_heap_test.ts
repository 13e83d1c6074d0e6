import assert from "node:assert/strict";
import { MinHeap } from "./min_heap.ts";

Deno.test("pops values in key order, ties by value", () => {
  const h = new MinHeap();
  for (const [k, v] of [[5, 0], [1, 9], [3, 2], [1, 4], [8, 1], [0, 7]]) h.push(k, v);
  assert.equal(h.size, 6);
  assert.equal(h.peekKey(), 0);
  const out = [];
  while (h.size) out.push(h.pop());
  assert.deepEqual(out, [7, 4, 9, 2, 0, 1]);
  assert.equal(h.pop(), undefined);
  assert.equal(h.peekKey(), undefined);
});
