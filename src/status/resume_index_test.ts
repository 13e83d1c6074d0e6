import assert from "node:assert/strict";
import { ResumeIndex } from "./resume_index.ts";
import { formatStatusLine, parseStatusLine, STATUS_HEADER } from "./status_line.ts";
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

Deno.test("ResumeIndex.addText: whole lines count, header and junk are ignored", () => {
  const idx = new ResumeIndex();
  const text = `${STATUS_HEADER}\n${formatStatusLine(rec(0, 0))}\nnot a record\n\n` +
    `${formatStatusLine(rec(1, 2))}\n`;
  assert.equal(idx.addText(text), null);
  assert.equal(idx.size, 2);
  assert.equal(idx.get(1)!.rc, 2);
  assert.equal(idx.addText(""), null);
});

Deno.test("ResumeIndex.addText: an unterminated last line is returned, never used", () => {
  const idx = new ResumeIndex();
  const whole = formatStatusLine(rec(0, 0));
  // Cut inside the command: still 15 fields, so it would parse as a record of `tr`.
  const torn = formatStatusLine(rec(1, 0)).slice(0, -2);
  assert.ok(parseStatusLine(torn), "the torn line alone parses");
  assert.equal(idx.addText(`${whole}\n${torn}`), torn);
  assert.equal(idx.size, 1);
  assert.equal(idx.get(1), undefined);
  assert.equal(new ResumeIndex().addText(torn), torn, "a file of one unterminated line");
});

Deno.test("ResumeIndex.addText: Python disBatch's lines, the last one cut", () => {
  // As disBatch 3 writes them: a per-engine line, a barrier, a task, then one cut in its
  // command (a bytes-literal command, as Python writes a non-UTF-8 one).
  const py = [
    " O P\t0\t1\t-1\tvm\t501\t0\t0.002\t1.5\t1.502\t3\t'pe\\n'\t0\t''\techo pe",
    "B    \t0\t3\t-1\tvm\t500\t0\t0.000\t2.0\t2.0\t0\t''\t0\t''\t#DISBATCH BARRIER",
    "    \t1\t4\t-1\tvm\t502\t0\t0.010\t2.1\t2.11\t0\t''\t0\t''\ttrue",
    "    \t2\t5\t-1\tvm\t503\t0\t0.010\t2.2\t2.21\t0\t''\t0\t''\tb'printf \\xff",
  ].join("\n");
  const idx = new ResumeIndex();
  assert.equal(idx.addText(py), py.split("\n")[3]);
  assert.deepEqual([idx.size, idx.get(1)?.rc, idx.get(2)], [1, 0, undefined]);
});
