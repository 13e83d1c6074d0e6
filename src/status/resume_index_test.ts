import assert from "node:assert/strict";
import { ResumeIndex } from "./resume_index.ts";
import type { RecordKind, TaskRecord } from "./task_record.ts";

function rec(taskId: number, rc: number, kind: RecordKind = "N", pid = 1): TaskRecord {
  return {
    kind,
    taskId,
    line: taskId + 1,
    repeat: -1,
    host: "vm",
    pid,
    rc,
    start: 0,
    finish: 0,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: new TextEncoder().encode("true"),
  };
}

Deno.test("ResumeIndex: only kind N records are kept", () => {
  const idx = new ResumeIndex();
  for (const kind of ["P", "S", "Z", "B", "C"] as const) idx.add(rec(0, 0, kind));
  assert.equal(idx.size, 0);
  assert.equal(idx.get(0), undefined);
  const n = rec(0, 0);
  idx.add(n);
  assert.equal(idx.size, 1);
  assert.equal(idx.get(0), n);
  assert.equal(idx.get(1), undefined);
});

Deno.test("ResumeIndex: a success replaces a failure, even a negative rc (B12 fixed)", () => {
  for (const failedRc of [3, -9, -100]) {
    const idx = new ResumeIndex();
    idx.add(rec(5, failedRc));
    idx.add(rec(5, 0, "N", 2));
    assert.equal(idx.get(5)!.pid, 2);
    idx.add(rec(5, failedRc, "N", 3));
    assert.equal(idx.get(5)!.pid, 2, "a later failure must not replace the success");
    assert.equal(idx.size, 1);
  }
});

Deno.test("ResumeIndex: among failures, and among successes, the first record stays", () => {
  const idx = new ResumeIndex();
  idx.add(rec(1, 2, "N", 10));
  idx.add(rec(1, -100, "N", 11));
  idx.add(rec(1, 1, "N", 12));
  assert.equal(idx.get(1)!.pid, 10);
  idx.add(rec(2, 0, "N", 20));
  idx.add(rec(2, 0, "N", 21));
  assert.equal(idx.get(2)!.pid, 20);
  assert.equal(idx.size, 2);
});

Deno.test("ResumeIndex.skippable: successes always, failures only without -R", () => {
  const idx = new ResumeIndex();
  const ok = rec(0, 0);
  const bad = rec(1, 3);
  idx.add(ok);
  idx.add(bad);
  assert.equal(idx.skippable(0, false), ok);
  assert.equal(idx.skippable(0, true), ok);
  assert.equal(idx.skippable(1, false), bad);
  assert.equal(idx.skippable(1, true), undefined);
  assert.equal(idx.skippable(2, false), undefined);
});
