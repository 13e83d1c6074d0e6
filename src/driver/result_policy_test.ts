import assert from "node:assert/strict";
import type { NormalItem } from "../taskfile/task_item.ts";
import {
  lostRecord,
  perEngineRecord,
  resultOf,
  ResultPolicy,
  taskRecord,
} from "./result_policy.ts";

const enc = new TextEncoder();
const item: NormalItem = { kind: "N", taskId: 7, line: 8, repeat: 2, command: enc.encode("x") };
const failed = (taskId: number, rc = 1) => ({
  taskId,
  line: taskId + 1,
  rc,
  command: enc.encode("c"),
});

Deno.test("a failed task is retried until its retries are used, then final", () => {
  const p = new ResultPolicy({ retries: 2, noReissue: false, failFast: false });
  assert.deepEqual(p.result(7, 1, false), { t: "retry", n: 1, of: 2 });
  assert.deepEqual(p.result(7, 3, false), { t: "retry", n: 2, of: 2 });
  assert.deepEqual(p.result(7, 3, false), { t: "final" });
  // The count starts again for a task that had ended (and per task).
  assert.deepEqual(p.result(7, 1, false), { t: "retry", n: 1, of: 2 });
  assert.deepEqual(p.result(9, 1, false), { t: "retry", n: 1, of: 2 });
});

Deno.test("success, a stopping run, or no retries: the result is final", () => {
  const p = new ResultPolicy({ retries: 1, noReissue: false, failFast: false });
  assert.deepEqual(p.result(1, 0, false), { t: "final" });
  assert.deepEqual(p.result(1, -15, true), { t: "final" });
  const none = new ResultPolicy({ retries: 0, noReissue: false, failFast: false });
  assert.deepEqual(none.result(1, 1, false), { t: "final" });
});

Deno.test("a success after a retry clears the count", () => {
  const p = new ResultPolicy({ retries: 1, noReissue: false, failFast: false });
  assert.equal(p.result(4, 1, false).t, "retry");
  assert.equal(p.result(4, 0, false).t, "final");
  assert.equal(p.result(4, 1, false).t, "retry");
});

Deno.test("lost tasks are reissued unless the run stops or --no-reissue", () => {
  assert.equal(
    new ResultPolicy({ retries: 0, noReissue: false, failFast: false }).lost(false),
    "reissue",
  );
  assert.equal(
    new ResultPolicy({ retries: 0, noReissue: false, failFast: false }).lost(true),
    "final",
  );
  assert.equal(
    new ResultPolicy({ retries: 0, noReissue: true, failFast: false }).lost(false),
    "final",
  );
});

Deno.test("fail-fast: the first failure while running stops the run, naming it", () => {
  const p = new ResultPolicy({ retries: 0, noReissue: false, failFast: true });
  const msg = p.failed(failed(3, 2), "task 3", false);
  assert.match(msg!, /--fail-fast: task 3 \(line 4\) exited with 2: c$/);
  assert.equal(p.failed(failed(5), "task 5", true), null);
  assert.equal(p.failures, 2);
  const off = new ResultPolicy({ retries: 0, noReissue: false, failFast: false });
  assert.equal(off.failed(failed(3), "task 3", false), null);
});

Deno.test("BARRIER CHECK fails on the first failure since the last barrier", () => {
  const p = new ResultPolicy({ retries: 0, noReissue: false, failFast: false });
  assert.equal(p.barrierPassed({ kind: "C", line: 1, taskId: 0 }), null);
  p.failed(failed(2, 5), "task 2", false);
  p.failed(failed(3, 6), "task 3", false);
  // A plain barrier passes and forgets the failures before it.
  assert.equal(p.barrierPassed({ kind: "B", line: 5, taskId: 4 }), null);
  assert.equal(p.barrierPassed({ kind: "C", line: 6, taskId: 5 }), null);
  p.failed(failed(6, 7), "task 6", false);
  p.failed(failed(7, 8), "task 7", false);
  assert.equal(
    p.barrierPassed({ kind: "C", line: 9, taskId: 8 }),
    "BARRIER CHECK at line 9 (task 8) failed: task 6 (line 7) exited with 7; stopping",
  );
});

Deno.test("records: a result, a lost attempt, a per-engine command", () => {
  const r = {
    pid: 9,
    rc: 0,
    start: 1,
    finish: 2,
    outBytes: 3,
    outSnippet: "o",
    errBytes: 0,
    errSnippet: "",
  };
  assert.deepEqual(resultOf({ ...r, t: "result", id: 7 } as typeof r), r);
  const rec = taskRecord(item, "n1", r);
  assert.deepEqual({ ...rec, command: null }, {
    kind: "N",
    taskId: 7,
    line: 8,
    repeat: 2,
    host: "n1",
    ...r,
    command: null,
  });
  const lost = lostRecord(item, "n2", 10, 12);
  assert.equal(lost.rc, -100);
  assert.deepEqual([lost.pid, lost.start, lost.finish, lost.host], [-1, 10, 12, "n2"]);
  const pe = perEngineRecord(
    { kind: "START", index: 0, line: 3, command: enc.encode("p") },
    0,
    "n1",
    r,
  );
  assert.deepEqual([pe.kind, pe.taskId, pe.line, pe.repeat], ["P", 0, 3, -1]);
});
