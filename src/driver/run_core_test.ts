import assert from "node:assert/strict";
import { ResumeIndex } from "../status/resume_index.ts";
import type { TaskRecord } from "../status/task_record.ts";
import type { TaskItem } from "../taskfile/task_item.ts";
import type { DriverConfig } from "./driver_config.ts";
import type { EnginePeer } from "./peer_registry.ts";
import { LOST_TASK_RC } from "../status/task_record.ts";
import { parseStatusLine } from "../status/status_line.ts";
import { putSkipLine } from "../status/resume_line.ts";
import { type CorePorts, type ResultEvent, RunCore } from "./run_core.ts";
import { sampleRecord, sampleTask } from "./sample_record.ts";

const enc = new TextEncoder();
const task = sampleTask;

function config(c: Partial<DriverConfig> = {}): DriverConfig {
  return {
    prefix: "/tmp/p",
    nameTasks: "Tasks",
    failFast: false,
    startupOnly: false,
    retry: false,
    forceResume: false,
    noReissue: false,
    bind: null,
    contextArgs: [],
    runContext: () => Promise.resolve(0),
    defaults: { cpusPerTask: 1, tasksPerNode: 1, envResource: [] },
    heartbeat: { intervalMs: 1000, timeoutMs: 10_000 },
    retries: 0,
    timeout: null,
    capture: { capture: false, maxBytes: 0 },
    total: null,
    exitCodeOf: (o) => o.stoppedBy === null ? 0 : 1,
    ...c,
  };
}

/** A world of fake I/O that records what the core asks for. */
class World {
  t = 100;
  lines: TaskRecord[] = [];
  /** Lines given as bytes, until a flush. */
  held: TaskRecord[] = [];
  flushError: Error | null = null;
  /** `<conn> <what>` for every message, in order. */
  sent: string[] = [];
  warnings: string[] = [];
  info: string[] = [];
  pulls = 0;
  fed = 0;
  launched = 0;
  abandon = 0;
  ended = 0;
  writeError: Error | null = null;
  brokenWrite = false;
  readonly core: RunCore<string>;

  constructor(c: Partial<DriverConfig> = {}, resume: ResumeIndex | null = null) {
    const ports: CorePorts<string> = {
      now: () => this.t,
      log: {
        info: (m) => this.info.push(m),
        warn: (m) => this.info.push(`WARN ${m}`),
        error: (m) => this.info.push(`ERROR ${m}`),
      },
      report: { warn: (l) => this.warnings.push(l), say: () => {} },
      write: (r) => {
        if (this.brokenWrite) throw new TypeError("boom");
        if (this.writeError) return this.writeError;
        this.lines.push(r);
        return null;
      },
      writeSkipLine: (line) => {
        if (this.brokenWrite) throw new TypeError("boom");
        if (this.writeError) return this.writeError;
        const bytes = new Uint8Array(line.length + 1);
        putSkipLine(line, bytes, 0);
        this.held.push(parseStatusLine(new TextDecoder().decode(bytes.subarray(0, -1)))!);
        return null;
      },
      flush: () => {
        if (this.held.length > 0 && this.flushError) return this.flushError;
        this.lines.push(...this.held.splice(0));
        return null;
      },
      pull: () => this.pulls++,
      launchContext: () => this.launched++,
      scriptPath: () => "/tmp/p_dbUtil.sh",
      task: (p, item) => this.sent.push(`${p.conn} task ${item.taskId}`),
      drain: (p) => this.sent.push(`${p.conn} drain`),
      kill: (p) => this.sent.push(`${p.conn} kill`),
      perEngine: (p, item) => this.sent.push(`${p.conn} pe ${item.kind} ${item.index}`),
      perEngineEnd: (p) => this.sent.push(`${p.conn} pe_end`),
      engineLost: (c, node, pid) => this.sent.push(`${c.conn} engine_lost ${node} ${pid}`),
      deliver: () => {},
      armAbandon: () => this.abandon++,
      ended: () => this.ended++,
    };
    this.core = new RunCore(config(c), resume, ports, {
      host: "drv",
      pid: 1,
      onDriverHost: (h) => h === "drv",
    });
  }

  /** A context, and an engine of it on `node` that is ready. */
  engine(name: string, cylinders = 1, node = name): EnginePeer<string> {
    if (this.core.peers.contexts.size === 0) {
      this.core.addContext("ctx", { host: "h", nodes: [] }, 0);
    }
    const p = this.core.addEngine(name, { contextRank: 0, node, host: node, pid: 50, cylinders })!;
    this.core.engineJoined(p);
    this.core.engineReady(p.rank);
    return p;
  }

  /** Answers the read the core asked for (a read must be outstanding). */
  feed(item: TaskItem | null): void {
    assert.ok(this.pulls > this.fed, "the core asked for no read");
    this.fed++;
    this.core.itemRead(item);
  }

  result(p: EnginePeer<string>, id: number, rc = 0): void {
    const r: ResultEvent = {
      id,
      pid: 9,
      rc,
      start: this.t,
      finish: this.t + 0.1,
      outBytes: 0,
      outSnippet: "",
      errBytes: 0,
      errSnippet: "",
    };
    this.core.result(p, r);
  }

  /** Status lines as `<kind> <id> <rc>`. */
  status(): string[] {
    return this.lines.map((r) => `${r.kind} ${r.taskId} ${r.rc}`);
  }

  take(): string[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
}

Deno.test("a run: read, launch, assign, record, release, end", () => {
  const w = new World();
  w.core.pump();
  assert.equal(w.pulls, 1, "reads before any context exists");
  w.feed(task(0));
  assert.equal(w.launched, 1);
  const e = w.engine("e0");
  assert.deepEqual(w.take(), ["e0 task 0"]);
  assert.equal(w.pulls, 1, "no read while the waiting tasks fill the free slots");
  w.result(e, 0);
  assert.deepEqual(w.status(), ["N 0 0"]);
  assert.equal(w.pulls, 2, "a slot is free: read on");
  w.feed(null);
  assert.deepEqual(w.take(), ["e0 pe_end", "e0 drain"], "nothing more to run: released");
  assert.equal(w.ended, 0, "the engine has not stopped yet");
  w.core.engineStopped(e.rank);
  assert.equal(w.ended, 1);
  const o = w.core.outcome();
  assert.deepEqual([o.stoppedBy, o.failures, o.normalTasks, o.unrun], [null, 0, 1, 0]);
});

Deno.test("a failed attempt with retries left is a Z line and runs again first", () => {
  const w = new World({ retries: 1 });
  w.core.pump();
  const e = w.engine("e0");
  w.feed(task(0));
  assert.deepEqual(w.take(), ["e0 task 0"]);
  w.result(e, 0, 3);
  assert.deepEqual(w.take(), ["e0 task 0"]);
  // Short tasks: the engine may hold one more than its cylinders, so task 1 is read now.
  w.feed(task(1));
  assert.deepEqual(w.take(), ["e0 task 1"], "the retry went ahead of task 1");
  w.result(e, 0, 4);
  assert.deepEqual(w.status(), ["Z 0 3", "N 0 4"]);
  assert.equal(w.core.outcome().failures, 1);
  assert.ok(w.info.includes("task 0 exited with 3; retry 1 of 1"));
});

Deno.test("a lost engine's tasks: Z lines, its context told, reissued elsewhere", () => {
  const w = new World();
  w.core.pump();
  const e0 = w.engine("e0", 2);
  const e1 = w.engine("e1", 1, "drv");
  for (let i = 0; i < 3; i++) w.feed(task(i));
  assert.equal(w.pulls, 3, "every slot taken: no read");
  assert.deepEqual(w.take(), ["e0 task 0", "e1 task 1", "e0 task 2"]);
  w.core.engineClosed(e0);
  assert.deepEqual(w.status(), [`Z 0 ${LOST_TASK_RC}`, `Z 2 ${LOST_TASK_RC}`]);
  assert.deepEqual(w.take(), ["ctx engine_lost e0 50"]);
  assert.ok(w.info.includes("WARN engine 0 on e0 lost with 2 running tasks"));
  w.result(e1, 1);
  assert.deepEqual(w.take(), ["e1 task 2", "e1 task 0"], "reissued, nothing read meanwhile");
  assert.equal(w.core.outcome().failures, 0);
});

Deno.test("--no-reissue: a lost engine's tasks are final failures with rc -100", () => {
  const w = new World({ noReissue: true });
  w.core.pump();
  const e0 = w.engine("e0", 2);
  w.feed(task(0));
  w.feed(null);
  w.core.engineClosed(e0);
  assert.deepEqual(w.status(), [`N 0 ${LOST_TASK_RC}`]);
  assert.equal(w.core.outcome().failures, 1);
  assert.equal(w.ended, 1, "nothing left to run");
});

Deno.test("fail-fast kills every engine once, records killed tasks, never retries", () => {
  const w = new World({ failFast: true, retries: 3 });
  w.core.pump();
  const e0 = w.engine("e0");
  const e1 = w.engine("e1");
  w.feed(task(0));
  w.feed(task(1));
  w.take();
  w.result(e0, 0, 2);
  // A retry is not a failure: fail-fast waits for the final attempt.
  assert.deepEqual(w.take(), ["e0 task 0"]);
  const w2 = new World({ failFast: true });
  w2.core.pump();
  const f0 = w2.engine("e0");
  const f1 = w2.engine("e1");
  w2.feed(task(0));
  w2.feed(task(1));
  w2.take();
  w2.result(f0, 0, 2);
  assert.match(w2.warnings[0], /--fail-fast: task 0 \(line 1\) exited with 2/);
  // The engine with nothing left is released too.
  assert.deepEqual(w2.take(), ["e0 kill", "e1 kill", "e0 drain"]);
  assert.equal(w2.abandon, 1);
  w2.result(f1, 1, -15);
  assert.deepEqual(w2.status(), ["N 0 2", "N 1 -15"]);
  w2.core.engineStopped(f0.rank);
  w2.core.engineStopped(f1.rank);
  assert.equal(w2.ended, 1);
  assert.equal(w2.core.outcome().stoppedBy, "fail_fast");
  void e1;
});

Deno.test("a failed BARRIER CHECK drains the run; the barrier line is recorded", () => {
  const w = new World();
  w.core.pump();
  const e = w.engine("e0", 2);
  w.feed(task(0));
  const text = enc.encode("#DISBATCH BARRIER CHECK");
  w.feed({ kind: "C", taskId: 1, line: 2, key: null, text });
  w.take();
  assert.equal(w.pulls, 2, "no read past a barrier");
  w.result(e, 0, 1);
  assert.deepEqual(w.status(), ["N 0 1", "C 1 0"]);
  assert.match(w.warnings[0], /^BARRIER CHECK at line 2 \(task 1\) failed: task 0/);
  assert.deepEqual(w.take(), ["e0 drain"]);
  assert.equal(w.core.outcome().stoppedBy, "check");
  assert.equal(w.abandon, 0, "a drain waits for running tasks");
});

Deno.test("a status line lost while draining turns the drain into a kill", () => {
  const w = new World();
  w.core.pump();
  const e = w.engine("e0", 2);
  w.feed(task(0));
  w.feed(task(1));
  w.fed++;
  w.core.sourceFailed(new Error("bad directive"));
  assert.deepEqual(w.take(), ["e0 task 0", "e0 task 1", "e0 drain"]);
  w.writeError = new Error("disk full");
  w.result(e, 0, 0);
  assert.deepEqual(w.take(), ["e0 kill"]);
  assert.equal(w.abandon, 1);
  const o = w.core.outcome();
  assert.equal(o.stoppedBy, "status_write");
  assert.equal(o.error?.message, "disk full");
});

Deno.test("signals: the first kills with a deadline, the second ends the run now", () => {
  const w = new World();
  w.core.pump();
  w.engine("e0");
  w.feed(task(0));
  w.take();
  w.core.signal("SIGTERM");
  assert.deepEqual(w.take(), ["e0 kill"]);
  assert.equal(w.abandon, 1);
  assert.equal(w.ended, 0);
  w.core.signal("SIGTERM");
  assert.equal(w.ended, 1);
  const o = w.core.outcome();
  assert.deepEqual([o.stoppedBy, o.signal, o.unrun], ["signal", "SIGTERM", 1]);
});

Deno.test("the abandon deadline ends a run whose engines do not answer", () => {
  const w = new World({ failFast: true });
  w.core.pump();
  const e = w.engine("e0", 2);
  w.feed(task(0));
  w.feed(task(1));
  w.result(e, 0, 1);
  assert.equal(w.ended, 0);
  w.core.end();
  assert.equal(w.ended, 1);
  assert.equal(w.core.outcome().unrun, 1);
  w.core.end();
  assert.equal(w.ended, 1, "once");
});

Deno.test("an internal error stops the run by killing; lost tasks are then never reissued", () => {
  const w = new World();
  w.core.pump();
  const e = w.engine("e0");
  w.feed(task(0));
  w.take();
  w.core.internalError(new TypeError("bug"));
  assert.deepEqual(w.take(), ["e0 kill"]);
  assert.equal(w.abandon, 1);
  w.core.engineClosed(e);
  assert.deepEqual(w.status(), [`N 0 ${LOST_TASK_RC}`], "final, no Z line");
  assert.equal(w.ended, 1);
  const o = w.core.outcome();
  assert.equal(o.stoppedBy, "internal_error");
  assert.equal(o.error?.message, "bug");
});

Deno.test("a resume mismatch stops the run as such; other exceptions are not mismatches", () => {
  const idx = new ResumeIndex();
  idx.add(sampleRecord(0, 0, { command: enc.encode("old") }));
  const w = new World({}, idx);
  w.core.pump();
  w.feed(task(0, "new"));
  assert.equal(w.core.outcome().stoppedBy, "mismatch");
  assert.ok(
    w.info.some((l) => l.startsWith("ERROR task source: Recovery status file task mismatch")),
  );
  // A failing port while taking a (matching) skipped task is the caller's bug to report.
  const w2 = new World({}, idx);
  w2.core.pump();
  w2.brokenWrite = true;
  assert.throws(() => w2.feed(task(0, "old")), TypeError);
  assert.equal(w2.core.outcome().stoppedBy, null);
});

Deno.test("skipped tasks: S lines held until the run's end, an old failure counts", () => {
  const idx = new ResumeIndex();
  idx.add(sampleRecord(0, 0));
  idx.add(sampleRecord(1, 3));
  const w = new World({ failFast: true }, idx);
  w.core.pump();
  w.feed(task(0));
  assert.deepEqual(w.held.map((r) => `${r.kind} ${r.taskId} ${r.rc}`), ["S 0 0"]);
  assert.deepEqual(w.status(), []);
  w.feed(task(1));
  assert.equal(w.core.outcome().stoppedBy, "fail_fast", "the old failure counts (-e)");
  assert.equal(w.ended, 1);
  assert.deepEqual(w.status(), ["S 0 0", "S 1 3"], "written before the run ended");
  assert.equal(w.core.outcome().failures, 1);
});

Deno.test("skipped tasks: held S lines that cannot be written make the run's outcome", () => {
  const idx = new ResumeIndex();
  idx.add(sampleRecord(0, 0));
  const w = new World({}, idx);
  w.core.pump();
  w.feed(task(0));
  w.flushError = new Error("disk full");
  w.feed(null);
  assert.equal(w.ended, 1);
  assert.equal(w.core.outcome().stoppedBy, "status_write");
  assert.equal(w.core.outcome().error?.message, "disk full");
  assert.deepEqual(w.status(), []);
  // Reported by the driver's own flush between items: the same stop.
  const w2 = new World({}, idx);
  w2.core.pump();
  w2.feed(task(0));
  w2.core.statusWriteFailed(new Error("disk full"));
  assert.equal(w2.core.outcome().stoppedBy, "status_write");
});

Deno.test("every context gone: learn whether the input ended, else the run is starved", () => {
  const w = new World();
  w.core.pump();
  const e = w.engine("e0");
  w.feed(task(0));
  w.core.softStopEngine(e.rank);
  w.result(e, 0);
  w.core.engineStopped(e.rank);
  w.core.contextClosed(0);
  assert.equal(w.pulls, 1, "no free slot: no read");
  w.core.contextExited(0);
  assert.equal(w.pulls, 2, "a read to learn the end");
  assert.equal(w.ended, 0);
  w.feed(null);
  assert.equal(w.ended, 1);
  assert.equal(w.core.outcome().stoppedBy, null);

  const s = new World();
  s.core.pump();
  s.feed(task(0));
  s.core.contextExited(2);
  assert.equal(s.ended, 1);
  const o = s.core.outcome();
  assert.deepEqual([o.stoppedBy, o.contextCode, o.unrun], ["context_failed", 2, 1]);
});

Deno.test("a context's task limit releases its engines once they hold nothing", () => {
  const w = new World();
  w.core.pump();
  w.core.addContext("ctx", { host: "h", nodes: [] }, 1);
  const e = w.engine("e0", 2);
  w.feed(task(0));
  assert.equal(w.pulls, 1, "the context may take no more: no read");
  assert.deepEqual(w.take(), ["e0 task 0"]);
  assert.ok(w.info.includes("context 0 has been given its task limit"));
  w.result(e, 0);
  assert.deepEqual(w.take(), ["e0 drain"]);
});

Deno.test("soft stops: an engine or a context's engines drain; unknown ranks are refused", () => {
  const w = new World();
  w.core.pump();
  w.engine("e0");
  w.engine("e1");
  assert.ok(!w.core.softStopEngine(7));
  assert.ok(!w.core.softStopContext(3));
  assert.ok(w.core.softStopEngine(1));
  assert.deepEqual(w.take(), ["e1 drain"]);
  assert.ok(w.core.softStopContext(0));
  assert.deepEqual(w.take(), ["e0 drain"]);
});

Deno.test("engines joining late get the per-engine commands; a stopping run refuses them", () => {
  const w = new World();
  w.core.pump();
  w.feed({ kind: "START", index: 0, line: 1, command: enc.encode("s") });
  w.feed({ kind: "PEND" });
  w.engine("e0");
  assert.deepEqual(w.take(), ["e0 pe START 0", "e0 pe_end"]);
  w.core.signal("SIGINT");
  assert.equal(
    w.core.addEngine("e1", { contextRank: 0, node: "n", host: "n", pid: 1, cylinders: 1 }),
    null,
  );
});

Deno.test("snapshots tell the state; ticks say when watchers need one", () => {
  const w = new World({ total: 4 });
  w.core.pump();
  const e = w.engine("e0");
  w.feed(task(0));
  assert.ok(w.core.tick(true));
  assert.ok(!w.core.tick(true));
  w.result(e, 0);
  assert.ok(!w.core.tick(false), "nobody watches");
  assert.ok(w.core.tick(true), "the change is kept for a watcher");
  const s = w.core.snapshot({ prefix: "/tmp/p", jobId: "p" });
  assert.deepEqual([s.done, s.total, s.finished, s.exitCode, s.driverHost], [
    1,
    4,
    false,
    null,
    "drv",
  ]);
  w.core.signal("SIGINT");
  w.core.signal("SIGINT");
  const end = w.core.snapshot({ prefix: "/tmp/p", jobId: "p" });
  assert.deepEqual([end.finished, end.exitCode, end.stoppedBy], [true, 1, "signal"]);
});
