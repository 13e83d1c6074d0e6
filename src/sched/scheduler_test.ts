import assert from "node:assert/strict";
import type { NormalItem } from "../taskfile/task_item.ts";
import { Scheduler } from "./scheduler.ts";
import { Fifo } from "./fifo.ts";

const item = (taskId: number): NormalItem => ({
  kind: "N",
  taskId,
  line: taskId + 1,
  repeat: -1,
  command: new Uint8Array(),
});

function engine(s: Scheduler, rank: number, cylinders: number, contextRank = 0) {
  s.addEngine({
    rank,
    contextRank,
    node: `n${rank}`,
    host: `n${rank}`,
    pid: 100 + rank,
    cylinders,
  });
  s.engineReady(rank);
}

Deno.test("Fifo keeps order through push, unshift and compaction", () => {
  const f = new Fifo<number>();
  for (let i = 0; i < 5000; i++) f.push(i);
  for (let i = 0; i < 3000; i++) assert.equal(f.shift(), i);
  f.unshift(-1);
  assert.equal(f.peek(), -1);
  assert.equal(f.length, 2001);
  assert.equal(f.shift(), -1);
  assert.equal(f.shift(), 3000);
});

Deno.test("tasks go to idle cylinders round robin, then to prefetch room", () => {
  let t = 0;
  const s = new Scheduler(() => t);
  engine(s, 0, 2);
  engine(s, 1, 1);
  assert.equal(s.freeSlots, 3);
  for (let i = 0; i < 6; i++) s.enqueue(item(i));
  const first = s.assign().assignments.map((a) => [a.item.taskId, a.engine]);
  assert.deepEqual(first, [[0, 0], [1, 1], [2, 0]]);
  assert.equal(s.pendingCount, 3);
  s.setPrefetch(1);
  assert.equal(s.freeSlots, 3);
  const more = s.assign().assignments.map((a) => a.engine).sort();
  assert.deepEqual(more, [0, 0, 1]);
  assert.equal(s.freeSlots, 0);
  t = 5;
  assert.equal(s.complete(0, 1, false), undefined, "task 1 is not on engine 0");
  const done = s.complete(1, 1, false)!;
  assert.equal(done.assignedAt, 0);
  assert.equal(s.complete(1, 1, false), undefined, "a second result for the same task is stale");
});

Deno.test("a late joiner's idle cylinder is served before prefetch room elsewhere", () => {
  const s = new Scheduler(() => 0);
  s.setPrefetch(1);
  engine(s, 0, 1);
  s.enqueue(item(0));
  s.assign();
  engine(s, 1, 1);
  s.enqueue(item(1));
  assert.deepEqual(s.assign().assignments.map((a) => a.engine), [1]);
});

Deno.test("the context task limit caps what the context is given, prefetch included", () => {
  const s = new Scheduler(() => 0);
  engine(s, 0, 1, 0);
  engine(s, 1, 1, 1);
  s.setContextLimit(0, 2);
  for (let i = 0; i < 6; i++) s.enqueue(item(i));
  s.setPrefetch(1);
  const r = s.assign();
  assert.deepEqual(r.limitReached, [0]);
  assert.equal(r.assignments.filter((a) => a.engine === 0).length, 2);
  assert.equal(r.assignments.filter((a) => a.engine === 1).length, 2);
  assert.equal(s.freeSlots, 0, "the limited context has no room left");
  assert.deepEqual(s.spentEngines(), [], "engine 0 still holds a prefetched task to run");
  assert.equal(s.engines.get(0)!.status, "running");
  s.complete(0, 0, false);
  assert.deepEqual(s.assign().assignments, [], "nothing more for the limited context");
  assert.deepEqual(s.spentEngines(), []);
  s.complete(0, 2, false);
  assert.deepEqual(s.spentEngines(), [0], "released once its last task is done");
  assert.deepEqual(s.assign().limitReached, [], "reported once");
});

/**
 * Context 0 with a limit of 3: two 1-cylinder engines with prefetch on, six tasks waiting, the
 * first three given out (0 and 2 to engine 0, 1 to engine 1).
 */
function limitedContext(): { s: Scheduler; first: ReturnType<Scheduler["assign"]> } {
  const s = new Scheduler(() => 0);
  s.setPrefetch(1);
  engine(s, 0, 1, 0);
  engine(s, 1, 1, 0);
  s.setContextLimit(0, 3);
  for (let i = 0; i < 6; i++) s.enqueue(item(i));
  return { s, first: s.assign() };
}

Deno.test("tasks given back unstarted do not count toward the context task limit", () => {
  const { s, first } = limitedContext();
  assert.equal(first.assignments.length, 3);
  assert.deepEqual(first.limitReached, [0]);
  const pairs = first.assignments.map((a) => [a.item.taskId, a.engine]);
  assert.deepEqual(pairs, [[0, 0], [1, 1], [2, 0]]);
  // Engine 0 is stopped (a soft shutdown) and gives back task 2, which it had not started.
  s.drain(0);
  for (const a of s.unassign(0, [2]).reverse()) s.enqueue(a.item, a.attempt, true);
  const again = s.assign();
  assert.deepEqual(again.assignments.map((a) => [a.item.taskId, a.engine]), [[2, 1]]);
  assert.equal(s.pendingCount, 3, "still 3 tasks in all for the context");
});

Deno.test("an engine of a context that has its limit is released even before it is ready", () => {
  const s = new Scheduler(() => 0);
  engine(s, 0, 1, 0);
  s.setContextLimit(0, 1);
  s.enqueue(item(0));
  s.assign();
  s.addEngine({ rank: 1, contextRank: 0, node: "n1", host: "n1", pid: 101, cylinders: 4 });
  assert.deepEqual(s.spentEngines(), [1]);
});

Deno.test("lose returns held tasks; unassign gives back queued ones", () => {
  const s = new Scheduler(() => 0);
  s.setPrefetch(1);
  engine(s, 0, 1);
  engine(s, 1, 1);
  for (let i = 0; i < 4; i++) s.enqueue(item(i));
  s.assign();
  assert.equal(s.inflightCount, 4);
  const back = s.unassign(1, [3, 99]);
  assert.deepEqual(back.map((a) => a.item.taskId), [3]);
  const lost = s.lose(0);
  assert.deepEqual(lost.map((a) => a.item.taskId), [0, 2]);
  assert.equal(s.engines.get(0)!.status, "lost");
  assert.equal(s.lose(0).length, 0);
  assert.equal(s.liveEngines, 1);
  assert.equal(s.inflightCount, 1);
  s.drain(1);
  assert.equal(s.freeSlots, 0);
  assert.deepEqual(s.idleEngines(), []);
  s.stopped(1);
  assert.equal(s.liveEngines, 0);
});

Deno.test("tasks lost with an engine do not count toward the context task limit", () => {
  const { s, first } = limitedContext();
  assert.equal(first.assignments.length, 3);
  // Engine 0 dies holding tasks 0 (running) and 2 (prefetched); both go out again.
  for (const a of s.lose(0).reverse()) s.enqueue(a.item, a.attempt + 1, true);
  const again = s.assign().assignments;
  assert.deepEqual(again.map((a) => [a.item.taskId, a.engine]), [[0, 1]]);
  assert.equal(s.freeSlots, 0, "engine 1 holds 2 of its 1 + 1 room");
  s.complete(1, 1, false);
  assert.deepEqual(s.assign().assignments.map((a) => a.item.taskId), [2]);
  assert.deepEqual(s.spentEngines(), []);
});

Deno.test("free slots, idle engines and picks stay right through random events (no -C)", () => {
  // A small deterministic generator: the same sequence every run.
  let seed = 12345;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const s = new Scheduler(() => 0);
  let prefetch = 0;
  let nextTask = 0;
  const ranks: number[] = [];
  const cap = (e: { cylinders: number }) => e.cylinders * (1 + prefetch);
  for (let step = 0; step < 5000; step++) {
    const op = rand(10);
    if (op === 0 && s.liveEngines < 30) {
      const rank = ranks.length;
      ranks.push(rank);
      engine(s, rank, 1 + rand(4));
    } else if (op <= 3) {
      for (let k = rand(6); k > 0 && s.pendingCount < 50; k--) s.enqueue(item(nextTask++));
      for (const a of s.assign().assignments) {
        const e = s.engines.get(a.engine)!;
        assert.equal(e.status, "running");
        assert.ok(e.tasks.size <= cap(e), `engine ${e.rank} over its room`);
      }
      if (s.pendingCount > 0) {
        for (const e of s.engines.values()) {
          if (e.status === "running") assert.ok(e.tasks.size >= cap(e), "a slot left idle");
        }
      }
    } else if (op <= 7) {
      const held = [...s.engines.values()].filter((e) => e.tasks.size > 0);
      if (held.length > 0) {
        const e = held[rand(held.length)];
        s.complete(e.rank, [...e.tasks][rand(e.tasks.size)], false);
      }
    } else if (op === 8) {
      prefetch = rand(2);
      s.setPrefetch(prefetch);
    } else if (ranks.length > 0) {
      const rank = ranks[ranks.length - 1 - rand(Math.min(ranks.length, 30))];
      if (rand(2) === 0) s.drain(rank);
      else for (const a of s.lose(rank)) s.enqueue(a.item, a.attempt + 1, true);
    }
    let free = 0;
    const idle: number[] = [];
    for (const e of s.engines.values()) {
      if (e.status !== "running") continue;
      free += Math.max(0, cap(e) - e.tasks.size);
      if (e.tasks.size === 0) idle.push(e.rank);
    }
    assert.equal(s.freeSlots, free, `free slots at step ${step}`);
    assert.deepEqual(s.idleEngines().map((e) => e.rank).sort((a, b) => a - b), idle);
  }
});

Deno.test("picking spreads tasks round robin over engines with room (no -C)", () => {
  const s = new Scheduler(() => 0);
  for (let r = 0; r < 4; r++) engine(s, r, 2);
  for (let i = 0; i < 8; i++) s.enqueue(item(i));
  const engines = s.assign().assignments.map((a) => a.engine);
  assert.deepEqual(engines, [0, 1, 2, 3, 0, 1, 2, 3]);
  // Engine 2 frees a cylinder: the next task goes there, whatever the position of the last pick.
  s.complete(2, 2, false);
  s.enqueue(item(8));
  assert.deepEqual(s.assign().assignments.map((a) => a.engine), [2]);
});
