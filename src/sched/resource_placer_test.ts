import assert from "node:assert/strict";
import { type Capacity, type Demand, ResourcePlacer, type Waiting } from "./resource_placer.ts";

const cap = (cores: number, gpus = 0, memMiB = 1000, slotCores = 1, slotGpus = 0): Capacity => ({
  cores,
  gpus,
  memMiB,
  slotCores,
  slotGpus,
});
const ask = (taskId: number, cores: number, gpus = 0, memMiB = 0): Waiting => ({
  taskId,
  resources: { cores, gpus, memMiB },
});
const slot = (taskId: number): Waiting => ({ taskId });
const where = (p: ResourcePlacer, list: Waiting[]) =>
  p.place(list).placed.map(({ index, engine }) => [list[index].taskId, engine]);

Deno.test("tasks start in file order on the first engine with all they ask free", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(4, 1));
  p.addEngine(1, cap(8, 2));
  assert.deepEqual(where(p, [ask(0, 4), ask(1, 4, 2), ask(2, 4), ask(3, 1)]), [[0, 0], [1, 1], [
    2,
    1,
  ]]);
  assert.deepEqual(p.used(1), { cores: 8, gpus: 2, memMiB: 0 });
  p.release(1);
  assert.deepEqual(p.used(1), { cores: 4, gpus: 0, memMiB: 0 });
  p.release(1);
  assert.deepEqual(p.used(1), { cores: 4, gpus: 0, memMiB: 0 });
});

Deno.test("a task without RESOURCES takes one cylinder's cores and GPUs of its engine", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(4, 2, 1000, 2, 1));
  assert.deepEqual(where(p, [slot(0), slot(1), slot(2)]), [[0, 0], [1, 0]]);
  assert.deepEqual(p.used(0), { cores: 4, gpus: 2, memMiB: 0 });
});

Deno.test("memory counts like cores, and a reservation keeps it for the blocked task", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(8, 0, 1000));
  assert.deepEqual(where(p, [ask(0, 1, 0, 600), ask(1, 1, 0, 600), ask(2, 1, 0, 400)]), [[0, 0]]);
  assert.deepEqual(where(p, [ask(2, 1, 0, 400)]), [[2, 0]]);
});

Deno.test("the oldest blocked task holds a reservation: later tasks backfill elsewhere only", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(4));
  p.addEngine(1, cap(4));
  // Both engines busy with 2 cores each; a 4-core task waits, 1-core ones follow.
  where(p, [ask(0, 2), ask(1, 2)]);
  const list = [ask(2, 4), ask(3, 1), ask(4, 1), ask(5, 1)];
  assert.deepEqual(where(p, list), [[3, 1], [4, 1]]);
  assert.deepEqual(p.reservation, { taskId: 2, engine: 0 });
  // Engine 0's task ends: the big one starts there, not a small one.
  p.release(0);
  assert.deepEqual(where(p, [ask(2, 4), ask(5, 1)]), [[2, 0]]);
  assert.equal(p.reservation, null);
});

Deno.test("a reservation leaves room for tasks that do not touch what the big task needs", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(8, 2));
  where(p, [ask(0, 2, 1)]);
  // The waiting task needs both GPUs: later CPU-only tasks may use cores beyond its 4.
  assert.deepEqual(where(p, [ask(1, 4, 2), ask(2, 1, 1), ask(3, 2), ask(4, 1)]), [[3, 0]]);
  assert.deepEqual(p.reservation, { taskId: 1, engine: 0 });
});

Deno.test("a large task is never starved by an endless stream of small ones", () => {
  // Simulated time: each step the oldest running task ends; small tasks keep coming.
  const p = new ResourcePlacer();
  p.addEngine(0, cap(4));
  p.addEngine(1, cap(4));
  let next = 0;
  const running: number[] = [];
  const waiting: Waiting[] = [];
  const more = () => {
    while (waiting.length < 20) waiting.push(ask(next++, 1));
  };
  more();
  const place = () => {
    const { placed } = p.place(waiting);
    const ids = placed.map(({ index }) => waiting[index].taskId);
    running.push(...ids);
    for (const { index } of placed.reverse()) waiting.splice(index, 1);
    return ids;
  };
  place();
  waiting.splice(3, 0, ask(1000, 4));
  let started = -1;
  for (let step = 0; step < 100 && started < 0; step++) {
    p.release(running.shift()!);
    more();
    if (place().includes(1000)) started = step;
    const total = [0, 1].reduce((n, e) => n + p.used(e)!.cores, 0);
    assert.ok(total <= 8);
  }
  // It starts once the tasks on its engine when it was first passed over have ended: the four
  // there at first and the one that took the core freed just before it was read.
  assert.equal(started, 9);
});

Deno.test("random requests never exceed any engine's capacity", () => {
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const p = new ResourcePlacer();
  const caps = [cap(4, 2, 4000), cap(8, 0, 8000), cap(2, 1, 2000, 2, 1)];
  caps.forEach((c, i) => p.addEngine(i, c));
  const waiting: Waiting[] = [];
  const running: number[] = [];
  let id = 0;
  for (let step = 0; step < 2000; step++) {
    const r = rand(4);
    waiting.push(r === 0 ? slot(id++) : ask(id++, 1 + rand(4), rand(3), rand(3) * 1000));
    const { placed, impossible } = p.place(waiting);
    for (const { index } of placed) running.push(waiting[index].taskId);
    const gone = new Set([...placed.map((x) => x.index), ...impossible]);
    for (const i of [...gone].sort((a, b) => b - a)) waiting.splice(i, 1);
    caps.forEach((c, e) => {
      const u = p.used(e)!;
      assert.ok(u.cores <= c.cores && u.gpus <= c.gpus && u.memMiB <= c.memMiB);
    });
    if (rand(2) === 0 && running.length > 0) p.release(running.splice(rand(running.length), 1)[0]);
  }
});

Deno.test("a task no engine could ever hold is impossible; one that could is not", () => {
  const p = new ResourcePlacer();
  assert.deepEqual(p.place([ask(0, 99)]), { placed: [], impossible: [] });
  p.addEngine(0, cap(4, 1, 1000));
  p.addEngine(1, cap(2, 2, 500));
  const { placed, impossible } = p.place([ask(0, 5), ask(1, 1, 3), ask(2, 1, 0, 2000), ask(3, 4)]);
  assert.deepEqual(impossible, [0, 1, 2]);
  assert.deepEqual(placed, [{ index: 3, engine: 0 }]);
  const largest: Demand = p.largest();
  assert.deepEqual(largest, { cores: 4, gpus: 2, memMiB: 1000 });
});

Deno.test("an engine removed keeps no reservation and takes no task; -C limits are asked", () => {
  const p = new ResourcePlacer();
  p.addEngine(0, cap(2));
  p.addEngine(1, cap(2));
  where(p, [ask(0, 1), ask(1, 1)]);
  p.place([ask(2, 2)]);
  assert.deepEqual(p.reservation, { taskId: 2, engine: 0 });
  p.removeEngine(0);
  assert.equal(p.reservation, null);
  assert.deepEqual(p.place([ask(3, 1)], (rank) => rank !== 1).placed, []);
  assert.deepEqual(where(p, [ask(3, 1)]), [[3, 1]]);
});
