import assert from "node:assert/strict";
import { ResumeIndex } from "../status/resume_index.ts";
import type { PerEngineItem } from "../taskfile/task_item.ts";
import { Intake } from "./intake.ts";
import { ResumeMismatchError } from "./resume_skip.ts";
import { sampleRecord, sampleTask } from "./sample_record.ts";

const enc = new TextEncoder();
const task = sampleTask;
const pe = (kind: "START" | "STOP", index: number): PerEngineItem => ({
  kind,
  index,
  line: index + 1,
  command: enc.encode(`${kind} ${index}`),
});
const opts = { retry: false, force: false };

function resumeOf(...recs: [number, number, string][]): ResumeIndex {
  const idx = new ResumeIndex();
  for (const [taskId, rc, cmd] of recs) {
    idx.add(sampleRecord(taskId, rc, { command: enc.encode(cmd) }));
  }
  return idx;
}

Deno.test("reads until the first task before any context, then only to fill free slots", () => {
  const i = new Intake(null, opts);
  assert.ok(i.wants(false, 0, () => 0));
  i.pullStarted();
  assert.ok(!i.wants(false, 0, () => 0), "one read at a time");
  i.pullEnded();
  assert.deepEqual(i.take(task(0), 1), [{ t: "enqueue", item: task(0) }, {
    t: "launch_context",
  }]);
  assert.ok(i.contextLaunched);
  assert.ok(!i.wants(false, 1, () => 0));
  assert.ok(i.wants(false, 1, () => 2));
  assert.ok(!i.wants(true, 0, () => 2), "never while stopping");
  // Only the first task launches the context.
  assert.deepEqual(i.take(task(1), 2), [{ t: "enqueue", item: task(1) }]);
  assert.equal(i.normalTasks, 2);
});

Deno.test("learning the end of the input reads without a free slot, until a task comes", () => {
  const i = new Intake(null, opts);
  i.take(task(0), 0);
  assert.ok(!i.wants(false, 0, () => 0));
  i.learnEof();
  assert.ok(i.wants(false, 0, () => 0));
  i.take(task(1), 0);
  assert.ok(!i.wants(false, 0, () => 0));
});

Deno.test("a barrier holds reading until every task before it is done", () => {
  const i = new Intake(null, opts);
  i.take(task(0), 0);
  const b = {
    kind: "C" as const,
    taskId: 1,
    line: 2,
    key: null,
    text: enc.encode("#DISBATCH BARRIER CHECK"),
  };
  assert.deepEqual(i.take(b, 5), []);
  assert.ok(i.barrier);
  assert.ok(!i.wants(false, 0, () => 8));
  assert.equal(i.passBarrier(1, 6, "h", 9), null, "a task is still outstanding");
  const passed = i.passBarrier(0, 7, "h", 9)!;
  assert.equal(passed.item, b);
  assert.deepEqual(
    [passed.record.kind, passed.record.taskId, passed.record.start, passed.record.finish],
    ["C", 1, 5, 7],
  );
  assert.deepEqual([passed.record.host, passed.record.pid, passed.record.rc], ["h", 9, 0]);
  assert.ok(!i.barrier);
  assert.equal(i.passBarrier(0, 8, "h", 9), null);
  assert.ok(i.wants(false, 0, () => 8));
});

Deno.test("per-engine commands go to every engine now and to later ones in order", () => {
  const i = new Intake(null, opts);
  assert.deepEqual(i.take(pe("STOP", 0), 0), [{ t: "pe", item: pe("STOP", 0) }]);
  assert.deepEqual(i.take(pe("START", 0), 0), [{ t: "pe", item: pe("START", 0) }]);
  assert.deepEqual(i.perEngine, { items: [pe("START", 0), pe("STOP", 0)], closed: false });
  assert.deepEqual(i.take({ kind: "PEND" }, 0), [{ t: "pe_end" }]);
  assert.ok(i.perEngine.closed);
  assert.deepEqual(i.perEngineItem("STOP", 0), pe("STOP", 0));
  assert.equal(i.perEngineItem("START", 1), undefined);
  // The end closes nothing twice.
  assert.deepEqual(i.take(null, 0), [{ t: "eof", noTasks: true }]);
});

Deno.test("the end of the input closes the per-engine block and says whether it held tasks", () => {
  const i = new Intake(null, opts);
  i.take(task(0), 0);
  assert.deepEqual(i.take(null, 0), [{ t: "pe_end" }, { t: "eof", noTasks: false }]);
  assert.ok(i.eof);
  assert.ok(!i.wants(false, 0, () => 4));
});

Deno.test("resume skips recorded tasks (and does not launch a context for them)", () => {
  const i = new Intake(resumeOf([0, 0, "t0"], [1, 3, "t1"]), opts);
  const [a] = i.take(task(0), 0);
  assert.equal(a.t, "skip");
  assert.equal(a.t === "skip" && a.skip.old.taskId, 0);
  assert.equal(i.take(task(1), 0)[0].t, "skip", "a failure is skipped without -R");
  assert.ok(!i.contextLaunched);
  assert.equal(i.skipped, 2);
  assert.equal(i.normalTasks, 2);
  const r = new Intake(resumeOf([1, 3, "t1"]), { retry: true, force: false });
  assert.equal(r.take(task(1), 0)[0].t, "enqueue", "-R runs failures again");
});

Deno.test("the command of a queued task or a per-engine command is kept, a skipped one's not", () => {
  const kept: string[] = [];
  const keep = (command: Uint8Array) => {
    kept.push(new TextDecoder().decode(command));
    return command.slice();
  };
  const i = new Intake(resumeOf([0, 0, "t0"]), { ...opts, keep });
  assert.equal(i.take(task(0, "t0"), 0)[0].t, "skip");
  const run = task(1, "t1");
  const command = run.command;
  const [a] = i.take(run, 0);
  assert.ok(a.t === "enqueue" && a.item.command !== command, "the queued task holds the copy");
  const start = pe("START", 0);
  i.take(start, 0);
  assert.deepEqual(kept, ["t1", "START 0"]);
  assert.notEqual(i.perEngineItem("START", 0)!.command, pe("START", 0).command);
});

Deno.test("a changed task at a recorded id is a mismatch, or a warning when forced", () => {
  const i = new Intake(resumeOf([0, 0, "old"]), opts);
  assert.throws(() => i.take(task(0, "new"), 0), ResumeMismatchError);
  const f = new Intake(resumeOf([0, 0, "old"]), { retry: false, force: true });
  const [a] = f.take(task(0, "new"), 0);
  assert.ok(
    a.t === "skip" && /^--force-resume: Recovery status file task mismatch/.test(a.skip.warning!),
  );
});

Deno.test("learnsEnd and leftOver: reading on to the end, and whether work is left", () => {
  const i = new Intake(null, { retry: false, force: false });
  assert.equal(i.learnsEnd(0), true);
  assert.equal(i.learnsEnd(1), false, "a task waits: something is left anyway");
  assert.equal(i.leftOver(0), true, "the end is not known");
  i.pullStarted();
  assert.equal(i.learnsEnd(0), false, "one read at a time");
  i.pullEnded();
  i.take(null, 0);
  assert.deepEqual([i.learnsEnd(0), i.leftOver(0), i.leftOver(2)], [false, false, true]);
});
