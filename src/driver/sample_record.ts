/**
 * Test material for the driver's parts: a status record and a normal task with plausible
 * values, each field open to override.
 * @module
 */
import type { TaskRecord } from "../status/task_record.ts";
import type { NormalItem } from "../taskfile/task_item.ts";

const encoder = new TextEncoder();

/** Normal task `taskId` on line `taskId + 1`, command `t<taskId>` unless given. */
export function sampleTask(taskId: number, command = `t${taskId}`): NormalItem {
  return { kind: "N", taskId, line: taskId + 1, repeat: -1, command: encoder.encode(command) };
}

/** A finished normal task's record (task `taskId`, exit code `rc`), with `more` overriding. */
export function sampleRecord(taskId: number, rc = 0, more: Partial<TaskRecord> = {}): TaskRecord {
  return {
    ...sampleTask(taskId),
    host: "h",
    pid: 1,
    rc,
    start: 0,
    finish: 1,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    ...more,
  };
}
