import assert from "node:assert/strict";
import { Scheduler } from "../sched/scheduler.ts";
import { sampleRecord, sampleTask } from "./sample_record.ts";
import { RunStats, type SnapshotFacts } from "./run_stats.ts";

const rec = sampleRecord;

function facts(f: Partial<SnapshotFacts> = {}): SnapshotFacts {
  return {
    prefix: "/p",
    jobId: "p",
    driverHost: "h",
    driverPid: 1,
    total: null,
    eof: false,
    skipped: 0,
    waiting: 0,
    stoppedBy: null,
    finished: false,
    exitCode: null,
    engines: [],
    contexts: [],
    ...f,
  };
}

Deno.test("the rate spans the last ten samples, and is 0 before half a second", () => {
  const s = new RunStats(0);
  s.sample(0);
  for (let i = 0; i < 4; i++) s.final(rec(i));
  assert.equal(s.rate(0.4), 0);
  assert.equal(s.rate(2), 2);
  for (let t = 1; t <= 20; t++) {
    s.final(rec(100 + t));
    s.sample(t);
  }
  // Samples from t = 10 to 20 remain: 10 completions in 10 s.
  assert.equal(s.rate(20), 1);
});

Deno.test("snapshot: counts, eta from the known total, failures, engine load", () => {
  let now = 0;
  const sched = new Scheduler(() => now);
  sched.addEngine({ rank: 0, contextRank: 0, node: "n", host: "n", pid: 3, cylinders: 2 });
  sched.engineReady(0);
  for (let i = 0; i < 3; i++) sched.enqueue(sampleTask(i));
  sched.setPrefetch(1);
  sched.assign();
  const s = new RunStats(0);
  s.sample(0);
  s.final(rec(10));
  s.final(rec(11, 2));
  s.barrierPassed();
  now = 4;
  const snap = s.snapshot(4, facts({ total: 13, engines: sched.engines.values(), skipped: 1 }));
  assert.equal(snap.done, 2);
  assert.equal(snap.failed, 1);
  assert.deepEqual(snap.failedIds, [11]);
  assert.equal(snap.recentFailures[0].rc, 2);
  assert.equal(snap.rate, 0.5);
  assert.equal(snap.eta, (13 - 2 - 1) / 0.5);
  assert.equal(snap.barriers, 1);
  assert.deepEqual([snap.running, snap.queued], [2, 1]);
  assert.deepEqual(snap.engines[0].tasks, [0, 1, 2]);
  assert.equal(snap.engines[0].silentFor, 4);
  assert.equal(snap.started, 0);
  assert.equal(s.snapshot(4, facts()).eta, null, "no eta without a total");
});

Deno.test("dirty until taken; finals, barriers and touches make it dirty again", () => {
  const s = new RunStats(0);
  assert.ok(s.takeDirty());
  assert.ok(!s.takeDirty());
  s.final(rec(1));
  assert.ok(s.takeDirty());
  s.barrierPassed();
  assert.ok(s.takeDirty());
  s.touch();
  assert.ok(s.takeDirty());
  assert.ok(!s.takeDirty());
});
