import assert from "node:assert/strict";
import { endDecision, noMoreWork, StopRules, type WorkFacts } from "./stop_rules.ts";

const facts = (f: Partial<WorkFacts> = {}): WorkFacts => ({
  eof: true,
  barrier: false,
  pending: 0,
  inflight: 0,
  liveEngines: 0,
  contextLaunched: true,
  startupOnly: false,
  contextExited: false,
  contexts: 1,
  ...f,
});

Deno.test("a drain stop lets tasks finish; the first reason wins", () => {
  const s = new StopRules();
  assert.deepEqual(s.phase, { kind: "running" });
  assert.deepEqual(s.stop("check"), ["drain_all"]);
  assert.deepEqual(s.phase, { kind: "draining", reason: "check" });
  assert.deepEqual(s.stop("fail_fast"), []);
  assert.equal(s.stoppedBy, "check");
  assert.ok(s.stopping && !s.finished);
});

Deno.test("killing stops kill every task and start the abandon deadline", () => {
  for (const reason of ["fail_fast", "signal", "status_write", "internal_error"] as const) {
    const s = new StopRules();
    const error = new Error("e");
    assert.deepEqual(s.stop(reason, error), ["kill_all", "arm_abandon"]);
    assert.deepEqual(s.phase, { kind: "killing", reason });
    assert.equal(s.outcome({ failures: 0, normalTasks: 0 }).error, error);
  }
});

Deno.test("a signal while draining makes it a kill, with the abandon deadline", () => {
  const s = new StopRules();
  s.stop("source_error", new Error("bad line"));
  assert.deepEqual(s.signal("SIGTERM"), ["kill_all", "arm_abandon"]);
  assert.deepEqual(s.phase, { kind: "killing", reason: "signal" });
  const o = s.outcome({ failures: 2, normalTasks: 5 });
  assert.equal(o.stoppedBy, "signal");
  assert.equal(o.signal, "SIGTERM");
  assert.equal(o.failures, 2);
  // A second signal ends the run at once.
  assert.deepEqual(s.signal("SIGINT"), ["end_now"]);
  assert.equal(s.outcome({ failures: 0, normalTasks: 0 }).signal, "SIGTERM");
});

Deno.test("a signal while killing kills again without a second deadline", () => {
  const s = new StopRules();
  s.stop("fail_fast");
  assert.deepEqual(s.signal("SIGINT"), ["kill_all"]);
  assert.equal(s.stoppedBy, "signal");
});

Deno.test("a lost status line stays the news, whatever comes before or after", () => {
  const s = new StopRules();
  s.stop("check");
  const e = new Error("disk full");
  assert.deepEqual(s.statusWriteFailed(e), ["kill_all", "arm_abandon"]);
  assert.equal(s.stoppedBy, "status_write");
  assert.deepEqual(s.signal("SIGTERM"), ["kill_all"]);
  const o = s.outcome({ failures: 0, normalTasks: 0 });
  assert.equal(o.stoppedBy, "status_write");
  assert.equal(o.signal, "SIGTERM");
  assert.equal(o.error, e);
});

Deno.test("the end freezes the unrun count; nothing changes once done", () => {
  const s = new StopRules();
  s.contextExited(3);
  assert.equal(s.starvedReason(), "context_failed");
  assert.ok(s.end(4));
  assert.ok(!s.end(9));
  assert.ok(s.finished && s.stopping);
  assert.deepEqual(s.stop("fail_fast"), []);
  assert.deepEqual(s.statusWriteFailed(new Error("x")), []);
  const o = s.outcome({ failures: 1, normalTasks: 4 });
  assert.equal(o.unrun, 4);
  assert.equal(o.stoppedBy, null);
  assert.equal(o.contextCode, 3);
});

Deno.test("a context that exits 0 leaves a run starved, not failed", () => {
  const s = new StopRules();
  s.contextExited(0);
  assert.equal(s.starvedReason(), "starved");
  assert.equal(s.outcome({ failures: 0, normalTasks: 0 }).contextCode, undefined);
});

Deno.test("end rules: done, stopped, starved, or first learn whether the input ended", () => {
  assert.equal(endDecision(false, facts()), "end");
  assert.equal(endDecision(false, facts({ liveEngines: 1 })), "continue");
  assert.equal(endDecision(true, facts({ eof: false, pending: 3 })), "end");
  assert.equal(endDecision(true, facts({ liveEngines: 1 })), "continue");
  const gone = { contextExited: true, contexts: 0 };
  assert.equal(endDecision(false, facts({ ...gone, pending: 2 })), "starved");
  assert.equal(endDecision(false, facts({ ...gone, eof: false })), "learn_eof");
  assert.equal(endDecision(false, facts({ ...gone, eof: false, barrier: true })), "starved");
  // With -S contexts come from outside: the run waits.
  assert.equal(endDecision(false, facts({ ...gone, pending: 2, startupOnly: true })), "continue");
  // A context still connected may start engines.
  assert.equal(endDecision(false, facts({ contextExited: true, pending: 2 })), "continue");
  assert.equal(endDecision(false, facts({ eof: false })), "continue");
});

Deno.test("no more work once stopping, or when the input ended with nothing waiting", () => {
  assert.ok(noMoreWork(true, { eof: false, barrier: true, pending: 5 }));
  assert.ok(noMoreWork(false, { eof: true, barrier: false, pending: 0 }));
  assert.ok(!noMoreWork(false, { eof: true, barrier: true, pending: 0 }));
  assert.ok(!noMoreWork(false, { eof: true, barrier: false, pending: 1 }));
  assert.ok(!noMoreWork(false, { eof: false, barrier: false, pending: 0 }));
});
