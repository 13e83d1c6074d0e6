import assert from "node:assert/strict";
import { ResumeIndex } from "../status/resume_index.ts";
import type { NormalItem } from "../taskfile/task_item.ts";
import { sampleRecord, sampleTask } from "./sample_record.ts";
import { mismatchMessage, ResumeMismatchError, resumeSkip } from "./resume_skip.ts";

const enc = new TextEncoder();
const item = (cmd: string, repeat = -1): NormalItem => ({ ...sampleTask(3, cmd), repeat });
const record = (cmd: string, rc = 0) => sampleRecord(3, rc, { command: enc.encode(cmd) });

Deno.test("resumeSkip: a task that matches its record on id, line, repeat index and command bytes", () => {
  const idx = new ResumeIndex();
  idx.add(record("a b"));
  const opts = { retry: false, force: false };
  assert.ok(resumeSkip(idx, item("a b"), opts));
  for (const other of [item("a c"), item("a b "), item("a b", 0), { ...item("a b"), line: 5 }]) {
    assert.throws(() => resumeSkip(idx, other, opts), ResumeMismatchError);
  }
  assert.equal(
    mismatchMessage(record("old"), item("new")),
    "Recovery status file task mismatch (use --force-resume to proceed anyway): task 3" +
      " was line 4 repeat -1 'old', is line 4 repeat -1 'new'",
  );
});

Deno.test("resumeSkip: an S record for a recorded task; none without one or for -R failures", () => {
  const idx = new ResumeIndex();
  idx.add(record("x", 2));
  const skip = resumeSkip(idx, item("x"), { retry: false, force: false });
  assert.equal(skip?.old.rc, 2);
  assert.equal(skip?.old.record()?.taskId, 3);
  assert.equal(skip?.warning, undefined);
  assert.equal(resumeSkip(idx, item("x"), { retry: true, force: false }), null);
  assert.equal(resumeSkip(null, item("x"), { retry: false, force: false }), null);
});

Deno.test("resumeSkip: a changed task throws, or is skipped with a warning when forced", () => {
  const idx = new ResumeIndex();
  idx.add(record("x"));
  assert.throws(
    () => resumeSkip(idx, item("y"), { retry: false, force: false }),
    ResumeMismatchError,
  );
  const forced = resumeSkip(idx, item("y"), { retry: false, force: true });
  assert.match(forced!.warning!, /^--force-resume: Recovery status file task mismatch/);
  assert.equal(forced!.old.record()?.command.length, 1, "the old record is kept");
});
