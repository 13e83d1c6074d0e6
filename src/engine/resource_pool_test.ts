import assert from "node:assert/strict";
import { ResourcePool } from "./resource_pool.ts";

Deno.test("a cylinder's block is taken only when all of it is free", () => {
  const p = new ResourcePool(4, ["a", "b"]);
  assert.deepEqual(p.takeBlock(0, 2, 0, 1), { cores: [0, 1], gpus: ["a"] });
  assert.equal(p.takeBlock(1, 2, 1, 1), null);
  assert.equal(p.takeBlock(2, 2, 0, 1), null);
  assert.equal(p.takeBlock(4, 1, 0, 0), null);
  assert.deepEqual([p.freeCores, p.freeGpus], [2, 1]);
  assert.deepEqual(p.takeBlock(2, 2, 1, 1), { cores: [2, 3], gpus: ["b"] });
  assert.deepEqual([p.freeCores, p.freeGpus], [0, 0]);
});

Deno.test("take picks any free cores and GPUs; give returns them", () => {
  const p = new ResourcePool(6, ["0", "1", "2", "3"]);
  const a = p.takeBlock(2, 2, 1, 1)!;
  const b = p.take(3, 2)!;
  assert.deepEqual(b, { cores: [0, 1, 4], gpus: ["0", "2"] });
  assert.equal(p.take(2, 0), null);
  assert.equal(p.take(1, 2), null);
  const c = p.take(1, 1)!;
  assert.deepEqual(c, { cores: [5], gpus: ["3"] });
  assert.deepEqual([p.freeCores, p.freeGpus], [0, 0]);
  p.give(a);
  p.give(c);
  assert.deepEqual([p.freeCores, p.freeGpus], [3, 2]);
  assert.deepEqual(p.take(3, 2), { cores: [2, 3, 5], gpus: ["1", "3"] });
  p.give(b);
  assert.deepEqual(p.take(0, 0), { cores: [], gpus: [] });
});
