import assert from "node:assert/strict";
import type { NormalItem } from "../taskfile/task_item.ts";
import { Scheduler } from "./scheduler.ts";
import type { Capacity } from "./resource_placer.ts";
import { SizedQueue, WINDOW } from "./sized_queue.ts";

const item = (taskId: number, cores?: number, gpus = 0): NormalItem => ({
  kind: "N",
  taskId,
  line: taskId + 1,
  repeat: -1,
  command: new Uint8Array(),
  ...(cores === undefined ? {} : { resources: { cores, gpus, memMiB: 0 } }),
});

/** Adds engine `rank` of context 0 with `capacity` (cylinders of one core), ready for work. */
function engine(s: Scheduler, rank: number, capacity: Capacity) {
  const where = { node: `n${rank}`, host: `n${rank}`, pid: 100 + rank };
  s.addEngine({ rank, contextRank: 0, ...where, cylinders: capacity.cores, capacity });
  s.engineReady(rank);
}
const cap = (cores: number, gpus = 0): Capacity => ({
  cores,
  gpus,
  memMiB: 1000,
  slotCores: 1,
  slotGpus: 0,
});
const ids = (s: Scheduler) => s.assign().assignments.map((a) => [a.item.taskId, a.engine]);

Deno.test("the first task with RESOURCES switches to placement by size; slot tasks count one core", () => {
  const s = new Scheduler(() => 0);
  engine(s, 0, cap(4));
  s.setPrefetch(1);
  s.enqueue(item(0));
  s.enqueue(item(1));
  assert.deepEqual(ids(s), [[0, 0], [1, 0]]);
  s.enqueue(item(2, 3));
  s.enqueue(item(3));
  // Two cores are held by the slot tasks: the 3-core task waits, holding a reservation.
  assert.equal(s.freeSlots, 2);
  assert.deepEqual(ids(s), []);
  assert.equal(s.pendingCount, 2);
  s.complete(0, 0, false);
  assert.deepEqual(ids(s), [[2, 0]]);
  assert.deepEqual(s.resourceView(0), {
    cores: 4,
    usedCores: 4,
    gpus: 0,
    usedGpus: 0,
    memMiB: 1000,
    usedMemMiB: 0,
    sized: [{ id: 2, cores: 3, gpus: 0, memMiB: 0 }],
  });
  // No prefetch any more: the engine is full.
  assert.deepEqual(ids(s), []);
  s.complete(0, 2, false);
  assert.deepEqual(ids(s), [[3, 0]]);
});

Deno.test("tasks given back or lost free what they held and wait again, first", () => {
  const s = new Scheduler(() => 0);
  engine(s, 0, cap(4, 2));
  engine(s, 1, cap(4, 2));
  s.enqueue(item(0, 4, 2));
  s.enqueue(item(1, 4, 1));
  s.enqueue(item(2, 4));
  assert.deepEqual(ids(s), [[0, 0], [1, 1]]);
  for (const a of s.lose(0)) s.enqueue(a.item, a.attempt + 1, true);
  assert.equal(s.resourceView(0)!.usedCores, 0);
  assert.deepEqual(ids(s), []);
  engine(s, 2, cap(8, 2));
  assert.deepEqual(ids(s), [[0, 2], [2, 2]]);
  assert.equal(s.resourceView(2)!.usedGpus, 2);
  for (const a of s.unassign(1, [1])) s.enqueue(a.item, a.attempt, true);
  assert.equal(s.resourceView(1)!.usedCores, 0);
  assert.deepEqual(ids(s), [[1, 1]]);
  assert.equal(s.pendingCount, 0);
});

Deno.test("impossible tasks are reported, and taken out only when asked", () => {
  const s = new Scheduler(() => 0);
  engine(s, 0, cap(4));
  s.enqueue(item(0, 8));
  s.enqueue(item(1, 2));
  assert.deepEqual(ids(s), [[1, 0]]);
  assert.equal(s.hasImpossible, true);
  assert.equal(s.pendingCount, 1);
  const { tasks, largest } = s.dropImpossible();
  assert.deepEqual(tasks.map((x) => x.item.taskId), [0]);
  assert.deepEqual(largest, { cores: 4, gpus: 0, memMiB: 1000 });
  assert.equal(s.pendingCount, 0);
  ids(s);
  assert.equal(s.hasImpossible, false);
});

Deno.test("a context's -C limit holds within one placement pass", () => {
  const s = new Scheduler(() => 0);
  s.setContextLimit(0, 2);
  engine(s, 0, cap(8));
  for (let i = 0; i < 4; i++) s.enqueue(item(i, 1));
  assert.deepEqual(ids(s), [[0, 0], [1, 0]]);
  assert.deepEqual(s.spentEngines(), []);
});

Deno.test("the queue looks at a window of the oldest tasks; reissues go first", () => {
  const q = new SizedQueue();
  q.placer.addEngine(0, cap(1));
  for (let i = 0; i < WINDOW + 10; i++) q.push(item(i, 2), 1);
  q.push(item(9999, 1), 1);
  // Beyond the window: not seen, so not started, although it fits.
  assert.deepEqual(q.take(() => true), []);
  assert.equal(q.hasImpossible, true);
  assert.equal(q.dropImpossible().length, WINDOW);
  q.push(item(5000, 1), 2, true);
  assert.deepEqual(q.take(() => true).map((p) => p.entry.taskId), [5000]);
  assert.equal(q.length, 11);
});
