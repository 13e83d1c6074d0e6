import assert from "node:assert/strict";
import type { TaskRecord } from "../status/task_record.ts";
import { FailureLog } from "./failure_log.ts";

function rec(taskId: number, rc: number): TaskRecord {
  return {
    kind: "N",
    taskId,
    line: taskId + 1,
    repeat: -1,
    host: "vm",
    pid: 1,
    rc,
    start: 0,
    finish: taskId,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: new TextEncoder().encode("x".repeat(300)),
  };
}

Deno.test("FailureLog counts failures, keeps the first 1000 ids and the latest 20", () => {
  const log = new FailureLog();
  for (let id = 0; id < 1500; id++) log.add(rec(id, id % 3 === 0 ? 0 : 1));
  assert.equal(log.count, 1000);
  assert.equal(log.ids.length, 1000);
  assert.deepEqual(log.ids.slice(0, 3), [1, 2, 4]);
  assert.equal(log.recent.length, 20);
  assert.equal(log.recent[19].taskId, 1499);
  assert.equal(log.recent[0].taskId, 1471); // 1470 succeeded
  assert.equal(log.recent[0].command.length, 200, "commands cut to 200 bytes");
});
