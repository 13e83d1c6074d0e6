import assert from "node:assert/strict";
import { sampleState } from "../monitor/sample_state.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { barOutcome, ChartFeed } from "./chart_feed.ts";

function record(over: Partial<TaskRecord>): TaskRecord {
  return {
    kind: "N",
    taskId: 0,
    line: 1,
    repeat: -1,
    host: "node1",
    pid: 42,
    rc: 0,
    start: 100,
    finish: 101,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: new Uint8Array(),
    ...over,
  };
}

Deno.test("attempts are coloured by outcome; barriers and resume skips are no bars", () => {
  assert.equal(barOutcome(record({})), "done");
  assert.equal(barOutcome(record({ rc: 3 })), "failed");
  assert.equal(barOutcome(record({ kind: "Z", rc: 1 })), "retried");
  assert.equal(barOutcome(record({ kind: "Z", pid: -1, rc: -100 })), "lost");
  assert.equal(barOutcome(record({ pid: -1, rc: -100 })), "lost");
  assert.equal(barOutcome(record({ kind: "P" })), "per-engine");
  for (const kind of ["B", "C", "S"] as const) assert.equal(barOutcome(record({ kind })), null);
});

Deno.test("the whole data first, then deltas: new and grown buckets, new attempts only", () => {
  const feed = new ChartFeed({ width: 2, points: 5, tasks: 3 });
  const t0 = 1_700_000_000;
  feed.addState(sampleState({ now: t0, running: 3, done: 10 }));
  feed.addRecords([record({ taskId: 1 }), record({ kind: "B", taskId: 2 })]);
  const first = feed.full();
  assert.deepEqual(first.points.map((p) => [p.t, p.running, p.completed]), [[t0, 3, 10]]);
  assert.deepEqual(first.tasks.map((t) => [t.seq, t.taskId, t.outcome]), [[1, 1, "done"]]);
  assert.deepEqual([first.width, first.keepPoints, first.keepTasks], [2, 5, 3]);

  assert.equal(feed.delta().tasks.length, 1, "the first delta has what was not sent as a delta");
  feed.addState(sampleState({ now: t0 + 1, running: 5, done: 12 }));
  feed.addState(sampleState({ now: t0 + 2, running: 4, done: 13 }));
  feed.addRecords([record({ taskId: 3, rc: 1, start: 99, finish: 98 })]);
  const d = feed.delta();
  assert.deepEqual(d.points.map((p) => [p.t, p.running, p.completed]), [
    [t0, 5, 12],
    [t0 + 2, 4, 13],
  ]);
  assert.deepEqual(d.tasks.map((t) => [t.seq, t.taskId, t.outcome, t.start, t.finish]), [
    [2, 3, "failed", 99, 99],
  ]);
  const quiet = feed.delta();
  assert.deepEqual(quiet.points.map((p) => p.t), [t0 + 2], "the last bucket may still grow");
  assert.deepEqual(quiet.tasks, []);
});

Deno.test("whatever arrives, a message holds at most the kept buckets and attempts", () => {
  const feed = new ChartFeed({ width: 1, points: 4, tasks: 3 });
  for (let k = 0; k < 100; k++) {
    feed.addState(sampleState({ now: 1000 + k, done: k }));
    feed.addRecords([record({ taskId: k })]);
  }
  for (const m of [feed.full(), feed.delta()]) {
    assert.deepEqual(m.points.map((p) => p.t), [1096, 1097, 1098, 1099]);
    assert.deepEqual(m.tasks.map((t) => t.taskId), [97, 98, 99]);
  }
  feed.addRecords(Array.from({ length: 50 }, (_, k) => record({ taskId: 200 + k })));
  assert.deepEqual(feed.delta().tasks.map((t) => t.taskId), [247, 248, 249]);
});
