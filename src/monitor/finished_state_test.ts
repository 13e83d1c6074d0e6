import assert from "node:assert/strict";
import { formatStatusLine } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { finishedState } from "./finished_state.ts";
import { sampleState } from "./sample_state.ts";

const encoder = new TextEncoder();

function line(r: Partial<TaskRecord> & { taskId: number }): string {
  return formatStatusLine({
    kind: "N",
    line: r.taskId + 1,
    repeat: -1,
    host: "vm",
    pid: 100 + r.taskId,
    rc: 0,
    start: 1000 + r.taskId,
    finish: 1001 + r.taskId,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: encoder.encode(`task ${r.taskId}`),
    ...r,
  });
}

Deno.test("finishedState: the live state's fields, from the status file", () => {
  const text = [
    line({ taskId: 0, rc: 3 }),
    line({ taskId: 1, kind: "B" }),
    line({ taskId: 2, kind: "Z", rc: 1 }), // a superseded attempt: not counted
    line({ taskId: 2 }),
    line({ taskId: 3, kind: "S", rc: 2, start: 5, finish: 6 }),
  ].join("\n") + "\n";
  const s = finishedState({ prefix: "/r/run", driverHost: "login1", exitCode: 1 }, text);
  assert.deepEqual(Object.keys(s), Object.keys(sampleState()));
  assert.deepEqual(s, {
    ...s,
    prefix: "/r/run",
    jobId: "run",
    driverHost: "login1",
    started: 1000,
    now: 1003,
    done: 3,
    failed: 2,
    skipped: 1,
    barriers: 1,
    running: 0,
    queued: 0,
    waiting: 0,
    finished: true,
    exitCode: 1,
    failedIds: [0, 3],
  });
  assert.deepEqual(s.recentFailures.map((f) => [f.taskId, f.rc, f.command]), [
    [0, 3, "task 0"],
    [3, 2, "task 3"],
  ]);
  // What the status file cannot tell is null, not made up.
  for (const k of ["total", "eof", "driverPid", "rate", "eta", "stoppedBy", "engines"] as const) {
    assert.equal(s[k], null, k);
  }
});

Deno.test("finishedState: no status file is a run where nothing ran", () => {
  const s = finishedState({ prefix: "P", driverHost: "h", exitCode: 0 }, "");
  assert.deepEqual([s.jobId, s.done, s.started, s.now, s.failedIds], ["P", 0, null, null, []]);
});
