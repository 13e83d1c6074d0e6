/**
 * The driver: owns the task source, the status file and the scheduling state; accepts
 * contexts and engines over the network; hands tasks to free cylinders; records every result.
 * Everything is event driven: a message, a parsed item or a process exit mutates state and
 * calls `#pump()`, which makes whatever progress is possible.
 * @module
 */
import type { Connection } from "../net/connection.ts";
import { Listener } from "../net/listener.ts";
import { newSecret } from "../net/connection.ts";
import { shortHostName } from "../net/connect.ts";
import type { Logger } from "../log/logger.ts";
import {
  type Role,
  type RunInfo,
  type RunState,
  type TaskOutcome,
  toWire,
} from "../protocol/messages.ts";
import { renderDbUtil } from "../protocol/db_util_script.ts";
import { renderRunEnd } from "../protocol/run_end_record.ts";
import type { HeartbeatSettings } from "../protocol/heartbeat.ts";
import { engineLoad } from "../sched/engine_load.ts";
import { FailureLog } from "../sched/failure_log.ts";
import { Scheduler } from "../sched/scheduler.ts";
import type { ResumeIndex } from "../status/resume_index.ts";
import type { TaskRecord } from "../status/task_record.ts";
import type { BarrierItem, NormalItem, PerEngineItem, TaskItem } from "../taskfile/task_item.ts";
import { selfCommand } from "../proc/self_command.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { after, every, type Timer } from "../time/timer.ts";
import type { StatusFile } from "./status_file.ts";
import { basename } from "./posix_path.ts";
import { type Accepted, SubmissionSource } from "./submission_source.ts";
import { elapsedOf, flagsOf } from "../status/status_line.ts";
import { failFastMessage } from "./fail_fast_message.ts";
import { RunFileError, writingRunFile } from "../log/run_file_error.ts";
import { STOP_SIGNALS, type StopSignal } from "./stop_signals.ts";
import { runFiles } from "../protocol/run_files.ts";

/** What fail-fast and BARRIER CHECK need of a failed record. */
type FailedRecord = Pick<TaskRecord, "taskId" | "line" | "rc" | "command">;

/** Where the driver's tasks come from: anything that yields items one at a time. */
export interface ItemSource {
  next(): Promise<TaskItem | null>;
}

/** Options of one run, already validated by the CLI. */
export interface DriverConfig {
  /** Absolute output prefix P. */
  prefix: string;
  nameTasks: string;
  statusHeader: boolean;
  failFast: boolean;
  startupOnly: boolean;
  retry: boolean;
  forceResume: boolean;
  noReissue: boolean;
  /** Address to bind (`--use-address`), or null for all interfaces on an ephemeral port. */
  bind: { hostname: string; port: number } | null;
  /** Arguments for the auto-launched context (`P_dbUtil.sh <these>`); for the log. */
  contextArgs: string[];
  /**
   * Runs the auto-launched context and resolves with its exit code (never rejects). The CLI
   * runs it inside this process: a separate process cost every run one more runtime start-up
   * in sequence before the first task (≈ 40 ms).
   */
  runContext(): Promise<number>;
  defaults: RunInfo["defaults"];
  heartbeat: HeartbeatSettings;
  /** `--retries`: extra attempts for a task that exits non-zero. */
  retries: number;
  /** `--timeout`: seconds per task, or null. */
  timeout: number | null;
  /** Total task ids when known in advance (a checked regular file), else null. */
  total: number | null;
  /** The exit code an outcome maps to (decided by the CLI; told to waiting clients). */
  exitCodeOf(outcome: RunOutcome): number;
}

/** How a run ended (the CLI turns this into a message and an exit code). */
export interface RunOutcome {
  /** Records with a non-zero return code (normal, per-engine, lost, skipped). */
  failures: number;
  /** Normal tasks produced by the source (run or skipped). */
  normalTasks: number;
  stoppedBy:
    | null
    | "fail_fast"
    | "check"
    | "signal"
    | "source_error"
    | "mismatch"
    | "starved"
    | "context_failed"
    | "status_write";
  signal?: StopSignal;
  /** Exit code of the auto-launched context when it failed. */
  contextCode?: number;
  /** The source's error (task-file syntax, resume mismatch), or the status file's write error. */
  error?: Error;
  /** Tasks that were never run because the run stopped early. */
  unrun: number;
}

/** Callbacks to the CLI for things a person must see now. */
export interface DriverReporter {
  /** A line for stderr. */
  warn(line: string): void;
  /** A line for stdout. */
  say(line: string): void;
}

/** A resume record does not match the task at the same id (spec §10.2). */
export class ResumeMismatchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResumeMismatchError";
  }
}

interface EnginePeer {
  rank: number;
  conn: Connection;
  node: string;
  drained: boolean;
  killed: boolean;
}

interface ContextPeer {
  rank: number;
  conn: Connection;
  label: string;
  host: string;
  nodes: string[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Tasks shorter than this on average are prefetched by engines. */
const PREFETCH_BELOW_S = 1;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function now(): number {
  return Date.now() / 1000;
}

/** Compares a resume record with the task now at its id (id, line, repeat index, command). */
export function resumeMatches(r: TaskRecord, item: NormalItem): boolean {
  return r.taskId === item.taskId && r.line === item.line && r.repeat === item.repeat &&
    bytesEqual(r.command, item.command);
}

/** Formats the mismatch message of one task. */
export function mismatchMessage(r: TaskRecord, item: NormalItem): string {
  return `Recovery status file task mismatch (use --force-resume to proceed anyway): task ${item.taskId}` +
    ` was line ${r.line} repeat ${r.repeat} '${decoder.decode(r.command)}',` +
    ` is line ${item.line} repeat ${item.repeat} '${decoder.decode(item.command)}'`;
}

/** One run of the driver. */
export class Driver {
  readonly #cfg: DriverConfig;
  readonly #source: ItemSource;
  readonly #status: StatusFile;
  readonly #log: Logger;
  readonly #resume: ResumeIndex | null;
  readonly #report: DriverReporter;
  readonly #sched = new Scheduler(now);
  readonly #secret = newSecret();
  readonly #host = Deno.hostname();
  readonly #engines = new Map<number, EnginePeer>();
  readonly #contexts = new Map<number, ContextPeer>();
  readonly #contextsSeen = new Map<number, Omit<RunState["contexts"][number], "connected">>();
  readonly #peStart: PerEngineItem[] = [];
  readonly #peStop: PerEngineItem[] = [];
  #peClosed = false;
  #listener: Listener | null = null;
  #runInfo: RunInfo | null = null;
  #scriptPath = "";
  #nextEngine = 0;
  #nextContext = 0;
  #pulling = false;
  #eof = false;
  #barrier: BarrierItem | null = null;
  #barrierStart = 0;
  #failSinceBarrier: { taskId: number; line: number; rc: number } | null = null;
  #contextLaunched = false;
  /** Read one more item even without a free slot (to learn whether the input has ended). */
  #pullToEnd = false;
  #contextRun: Promise<number> | null = null;
  #contextExited = false;
  #finished = false;
  #finish!: () => void;
  readonly #done: Promise<void>;
  readonly #outcome: RunOutcome = { failures: 0, normalTasks: 0, stoppedBy: null, unrun: 0 };
  #killTimer: Timer | undefined;
  readonly #observers = new Set<Connection>();
  /** Task id -> the client that submitted it (task-server mode). */
  readonly #routes = new Map<number, Connection>();
  readonly #watchers = new Set<Connection>();
  readonly #started = now();
  #doneCount = 0;
  #skipped = 0;
  #barriersDone = 0;
  readonly #failures = new FailureLog();
  /** (time, done) samples, one a second, for the completion rate. */
  readonly #rateSamples: [number, number][] = [];
  #stateDirty = true;
  /** Retries used so far by tasks that failed at least once. */
  readonly #retriesUsed = new Map<number, number>();
  /** Moving average of task durations (seconds). */
  #pace: number | null = null;

  constructor(
    cfg: DriverConfig,
    source: ItemSource,
    status: StatusFile,
    log: Logger,
    resume: ResumeIndex | null,
    report: DriverReporter,
  ) {
    this.#cfg = cfg;
    this.#source = source;
    this.#status = status;
    this.#log = log;
    this.#resume = resume;
    this.#report = report;
    this.#done = new Promise((r) => this.#finish = r);
  }

  /** Path of the helper script of this run. */
  get scriptPath(): string {
    return this.#scriptPath;
  }

  /** Runs to the end and says how it ended. */
  async run(): Promise<RunOutcome> {
    const bind = this.#cfg.bind ?? { hostname: "0.0.0.0", port: 0 };
    this.#listener = new Listener({
      hostname: bind.hostname,
      port: bind.port,
      secret: this.#secret,
      onPeer: (role, conn) => this.#onPeer(role, conn),
      onReject: (peer, err) => this.#log.warn(`dropped connection from ${peer}: ${err.message}`),
    });
    const port = this.#listener.addr.port;
    const addresses = this.#advertised(bind.hostname, port);
    const primary = addresses[0];
    this.#runInfo = {
      jobId: basename(this.#cfg.prefix),
      nameTasks: this.#cfg.nameTasks,
      prefix: this.#cfg.prefix,
      cwd: Deno.cwd(),
      address: primary,
      defaults: this.#cfg.defaults,
      heartbeat: this.#cfg.heartbeat,
    };
    const scriptPath = runFiles.dbUtil(this.#cfg.prefix);
    const script = renderDbUtil(
      {
        addresses,
        primary,
        driverHost: this.#host,
        secret: this.#secret,
        prefix: this.#cfg.prefix,
      },
      selfCommand([]),
      scriptPath,
    );
    try {
      writingRunFile(scriptPath, () => {
        Deno.writeTextFileSync(scriptPath, script, { mode: 0o700 });
        Deno.chmodSync(scriptPath, 0o700);
      });
    } catch (e) {
      await this.#listener.close();
      throw e;
    }
    this.#scriptPath = scriptPath;
    this.#log.info(`listening on ${addresses.join(" ")}; helper ${this.#scriptPath}`);
    if (this.#source instanceof SubmissionSource) {
      this.#report.say("Task server ready; submit tasks with this run's helper script:");
      this.#report.say(`   ${this.#scriptPath}`);
    }

    const onSignal = STOP_SIGNALS.map((sig) => [sig, () => this.#onSignal(sig)] as const);
    for (const [sig, f] of onSignal) Deno.addSignalListener(sig, f);
    // Cheap timers (src/time/timer.ts) throughout: the listener keeps the process alive.
    const hb = every(this.#cfg.heartbeat.intervalMs, () => this.#heartbeat());
    const tick = every(500, () => this.#tick());
    try {
      this.#pump();
      await this.#done;
      await this.#shutdown();
      // Tells `disbatch --wait` / `--state` how the run ended once the driver is gone.
      try {
        Deno.writeTextFileSync(
          this.#scriptPath,
          renderRunEnd(this.#cfg.exitCodeOf(this.#outcome), this.snapshot()),
          { append: true },
        );
      } catch (e) {
        this.#log.warn(
          `${new RunFileError(this.#scriptPath, e).message}; --wait cannot tell the exit code`,
        );
      }
    } finally {
      for (const [sig, f] of onSignal) Deno.removeSignalListener(sig, f);
      hb.cancel();
      tick.cancel();
      this.#killTimer?.cancel();
    }
    return this.#outcome;
  }

  /** Addresses peers may use: loopback first for same-host peers is the peer's choice. */
  #advertised(bound: string, port: number): string[] {
    if (bound !== "0.0.0.0" && bound !== "::") return [`${bound}:${port}`];
    const ips = Deno.networkInterfaces()
      .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
      .map((i) => `${i.address}:${port}`);
    return [...ips, `127.0.0.1:${port}`];
  }

  // ---------------------------------------------------------------- progress

  #pump(): void {
    if (this.#finished) return;
    const stopping = this.#outcome.stoppedBy !== null;
    if (
      !stopping && this.#barrier && this.#sched.pendingCount + this.#sched.inflightCount === 0
    ) this.#satisfyBarrier();
    if (this.#outcome.stoppedBy === null) {
      this.#maybePull();
      const { assignments, limitReached } = this.#sched.assign();
      for (const a of assignments) {
        const timeout = a.item.timeout ?? this.#cfg.timeout;
        this.#engines.get(a.engine)?.conn.send({
          t: "task",
          id: a.item.taskId,
          line: a.item.line,
          rep: a.item.repeat,
          ...(timeout && Number.isFinite(timeout) ? { timeout } : {}),
          ...toWire(a.item.command),
        });
      }
      for (const c of limitReached) this.#log.info(`context ${c} has been given its task limit`);
      for (const rank of this.#sched.spentEngines()) {
        const p = this.#engines.get(rank);
        if (p) this.#drainEngine(p);
      }
    }
    this.#drainIdle();
    this.#checkEnd();
  }

  #wantItem(): boolean {
    if (this.#pulling || this.#eof || this.#barrier || this.#outcome.stoppedBy) return false;
    // Before any context exists, read until the first task that must run (or the end).
    if (!this.#contextLaunched || this.#pullToEnd) return true;
    return this.#sched.pendingCount < this.#sched.freeSlots;
  }

  #maybePull(): void {
    if (!this.#wantItem()) return;
    this.#pulling = true;
    this.#source.next().then(
      (item) => {
        this.#pulling = false;
        try {
          this.#onItem(item);
        } catch (error) {
          this.#log.error(`task source: ${(error as Error).message}`);
          this.#stop("mismatch", error as Error);
        }
        this.#pump();
      },
      (error: Error) => {
        this.#pulling = false;
        this.#log.error(`task source: ${error.message}`);
        this.#stop("source_error", error);
        this.#pump();
      },
    );
  }

  #onItem(item: TaskItem | null): void {
    if (item === null) {
      this.#eof = true;
      this.#log.info("end of task source");
      if (!this.#peClosed) this.#closePerEngine();
      if (this.#outcome.normalTasks === 0) this.#report.warn("No tasks to run.");
      return;
    }
    switch (item.kind) {
      case "PEND":
        this.#closePerEngine();
        return;
      case "START":
      case "STOP":
        (item.kind === "START" ? this.#peStart : this.#peStop).push(item);
        for (const p of this.#engines.values()) this.#sendPerEngine(p, item);
        return;
      case "B":
      case "C":
        this.#barrier = item;
        this.#barrierStart = now();
        return;
      case "N":
        this.#outcome.normalTasks++;
        if (this.#trySkip(item)) return;
        this.#pullToEnd = false;
        this.#sched.enqueue(item);
        if (!this.#contextLaunched) this.#launchContext();
        return;
    }
  }

  #closePerEngine(): void {
    this.#peClosed = true;
    for (const p of this.#engines.values()) p.conn.send({ t: "pe_end" });
  }

  #sendPerEngine(p: EnginePeer, item: PerEngineItem): void {
    p.conn.send({
      t: "pe",
      which: item.kind,
      index: item.index,
      line: item.line,
      ...toWire(item.command),
    });
  }

  /** Resume: true when the task was skipped (and recorded as such). */
  #trySkip(item: NormalItem): boolean {
    const r = this.#resume?.skippable(item.taskId, this.#cfg.retry);
    if (!r) return false;
    if (!resumeMatches(r, item)) {
      if (!this.#cfg.forceResume) {
        throw new ResumeMismatchError(mismatchMessage(r, item));
      }
      this.#log.warn(`--force-resume: ${mismatchMessage(r, item)}`);
    }
    this.#skipped++;
    this.#recordFinal({ ...r, kind: "S" });
    if (r.rc !== 0) this.#failed(r);
    return true;
  }

  #satisfyBarrier(): void {
    const b = this.#barrier!;
    this.#barrier = null;
    this.#barriersDone++;
    this.#stateDirty = true;
    const t = now();
    const rec: TaskRecord = {
      kind: b.kind,
      taskId: b.taskId,
      line: b.line,
      repeat: -1,
      host: this.#host,
      pid: Deno.pid,
      rc: 0,
      start: this.#barrierStart,
      finish: t,
      outBytes: 0,
      outSnippet: "",
      errBytes: 0,
      errSnippet: "",
      command: b.text,
    };
    this.#writeStatus(rec);
    // A client that submitted the barrier learns it was passed (its id must not wait forever).
    this.#route(rec);
    const f = this.#failSinceBarrier;
    if (b.kind === "C" && f) {
      this.#report.warn(
        `BARRIER CHECK at line ${b.line} (task ${b.taskId}) failed: task ${f.taskId} (line ${f.line})` +
          ` exited with ${f.rc}; stopping`,
      );
      this.#stop("check");
      return;
    }
    this.#failSinceBarrier = null;
  }

  /** A task failed (`what` names it for fail-fast: a task, or a per-engine command). */
  #failed(r: FailedRecord, what = `task ${r.taskId}`): void {
    this.#outcome.failures++;
    this.#failSinceBarrier ??= { taskId: r.taskId, line: r.line, rc: r.rc };
    if (this.#cfg.failFast && this.#outcome.stoppedBy === null) {
      this.#report.warn(failFastMessage({ what, line: r.line, rc: r.rc, command: r.command }));
      this.#stop("fail_fast");
    }
  }

  /** Stops feeding; kills running tasks for fail-fast and signals. */
  #stop(reason: NonNullable<RunOutcome["stoppedBy"]>, error?: Error): void {
    if (this.#outcome.stoppedBy !== null) return;
    this.#outcome.stoppedBy = reason;
    if (error) this.#outcome.error = error;
    this.#log.info(`stopping: ${reason}${error ? `: ${error.message}` : ""}`);
    const kill = reason === "fail_fast" || reason === "signal" || reason === "status_write";
    for (const p of this.#engines.values()) {
      if (kill) {
        p.killed = true;
        p.conn.send({ t: "kill" });
      } else this.#drainEngine(p);
    }
    if (kill) {
      // Engines that do not answer in time are abandoned; their tasks die with them.
      this.#killTimer = after(10_000, () => this.#end());
    }
  }

  #drainEngine(p: EnginePeer): void {
    if (p.drained) return;
    p.drained = true;
    this.#sched.drain(p.rank);
    p.conn.send({ t: "drain" });
  }

  /** Once nothing is left to hand out, idle engines are released (they may retire nodes). */
  #drainIdle(): void {
    const stopped = this.#outcome.stoppedBy !== null;
    const noMoreWork = stopped || (this.#eof && !this.#barrier && this.#sched.pendingCount === 0);
    if (!noMoreWork) return;
    let idle = this.#sched.idleEngines();
    if (!stopped && !this.#cfg.noReissue && this.#sched.inflightCount > 0 && idle.length > 0) {
      // One idle engine on the driver's host stays while tasks run elsewhere, to take them over
      // if their engine is lost (under Slurm the driver's node is never retired anyway).
      // Elsewhere a spare would hold a whole allocated node idle for the rest of the run.
      const spare = idle.find((e) => shortHostName(e.host) === shortHostName(this.#host));
      idle = idle.filter((e) => e !== spare);
    }
    for (const e of idle) {
      const p = this.#engines.get(e.rank);
      if (p) this.#drainEngine(p);
    }
  }

  #checkEnd(): void {
    const stopped = this.#outcome.stoppedBy !== null;
    const allDone = this.#eof && !this.#barrier && this.#sched.pendingCount === 0 &&
      this.#sched.inflightCount === 0;
    if ((allDone || stopped) && this.#sched.liveEngines === 0) {
      this.#end();
      return;
    }
    // Nothing can run the remaining work: every context is gone and no engine is alive.
    if (
      !stopped && this.#contextLaunched && !this.#cfg.startupOnly && this.#contextExited &&
      this.#contexts.size === 0 && this.#sched.liveEngines === 0 && !allDone
    ) {
      // Unless the only thing left is learning that the input has ended: find out first.
      if (!this.#eof && !this.#barrier && this.#sched.pendingCount === 0) {
        this.#pullToEnd = true;
        this.#maybePull();
        if (this.#pulling) return;
      }
      const code = this.#outcome.contextCode;
      this.#stop(code !== undefined && code !== 0 ? "context_failed" : "starved");
      this.#end();
    }
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#outcome.unrun = this.#sched.pendingCount + this.#sched.inflightCount;
    this.#finish();
  }

  /** Pings every engine; one silent for longer than the timeout is dropped (and its tasks reissued). */
  #heartbeat(): void {
    const t = now();
    const limit = this.#cfg.heartbeat.timeoutMs / 1000;
    for (const p of this.#engines.values()) {
      const e = this.#sched.engines.get(p.rank);
      if (e && t - e.lastHeard > limit) {
        this.#log.warn(
          `engine ${p.rank} on ${p.node} silent for ${
            (t - e.lastHeard).toFixed(1)
          } s; declared lost`,
        );
        p.conn.close();
      } else p.conn.send({ t: "ping" });
    }
  }

  // ---------------------------------------------------------------- peers

  #onPeer(role: Role, conn: Connection): void {
    if (role === "monitor" || role === "client") {
      this.#addObserver(conn);
      return;
    }
    let registered = false;
    const timer = after(30_000, () => {
      if (!registered) {
        this.#log.warn(`${conn.peer} (${role}) did not register; dropped`);
        conn.close();
      }
    });
    conn.attach({
      message: (m) => {
        if (registered) return;
        registered = true;
        timer.cancel();
        if (role === "engine" && m.t === "eng_register") this.#addEngine(conn, m);
        else if (role === "context" && m.t === "ctx_register") this.#addContext(conn, m);
        else {
          this.#log.warn(`${conn.peer} (${role}) sent ${String(m.t)} first; dropped`);
          conn.close();
        }
      },
      closed: () => timer.cancel(),
    });
  }

  /** Monitors and clients: state snapshots, soft shutdown requests, waiting for the end. */
  #addObserver(conn: Connection): void {
    this.#observers.add(conn);
    conn.attach({
      message: (m) => {
        switch (m.t) {
          case "snapshot":
            conn.send({ t: "state", state: this.snapshot() });
            return;
          case "watch":
            this.#watchers.add(conn);
            conn.send({ t: "state", state: this.snapshot() });
            return;
          case "stop": {
            const ok = this.#softStop(m);
            conn.send({ t: "ack", ok, ref: m.ref ?? null });
            return;
          }
          case "wait":
            // Answered with `end` when the run is over.
            return;
          case "submit":
            this.#submit(conn, m);
            return;
          case "end_stream": {
            const ok = this.#source instanceof SubmissionSource;
            if (ok) {
              this.#source.end();
              this.#log.info(`task stream ended by ${conn.peer}`);
            }
            conn.send({ t: "ack", ok, ref: m.ref ?? null });
            return;
          }
          case "ping":
            conn.send({ t: "pong" });
            return;
          case "bye":
            conn.close();
            return;
          default:
            conn.send({ t: "error", message: `unknown request ${String(m.t)}` });
        }
      },
      closed: () => {
        this.#observers.delete(conn);
        this.#watchers.delete(conn);
        for (const [id, c] of this.#routes) if (c === conn) this.#routes.delete(id);
      },
    });
  }

  /** Task-server mode: parse a client's submission now, tell it the ids, route results back. */
  #submit(conn: Connection, m: Record<string, unknown>): void {
    const ref = m.ref ?? null;
    const src = this.#source;
    if (!(src instanceof SubmissionSource) || src.ended || this.#outcome.stoppedBy !== null) {
      conn.send({ t: "rejected", ref, message: "this run does not accept submissions now" });
      return;
    }
    const lines = Array.isArray(m.lines) ? m.lines.map(String) : [String(m.text ?? "")];
    const accepted: Accepted[] = [];
    for (const line of lines) {
      try {
        const a = src.submit(encoder.encode(line));
        accepted.push(a);
        if (m.results !== false) {
          for (let id = a.first; id < a.next; id++) this.#routes.set(id, conn);
        }
      } catch (e) {
        conn.send({ t: "rejected", ref, message: (e as Error).message, accepted });
        return;
      }
    }
    conn.send({ t: "accepted", ref, ids: accepted });
    this.#pump();
  }

  /** Sends a final record to the client that submitted the task (spec §12.4 result keys). */
  #route(r: TaskRecord): void {
    const conn = this.#routes.get(r.taskId);
    if (!conn) return;
    this.#routes.delete(r.taskId);
    conn.send({
      t: "result",
      result: {
        Flags: flagsOf(r),
        TaskId: r.taskId,
        TaskStreamIndex: r.line,
        TaskRepIndex: r.repeat,
        Host: r.host,
        PID: r.pid,
        ReturnCode: r.rc,
        Elapsed: elapsedOf(r),
        Start: r.start,
        End: r.finish,
        OutBytes: r.outBytes,
        OutData: r.outSnippet,
        ErrBytes: r.errBytes,
        ErrData: r.errSnippet,
        TaskCmd: decoder.decode(r.command),
      },
    });
  }

  /** Soft shutdown of one engine or of a whole context: running tasks finish, nothing new starts. */
  #softStop(m: Record<string, unknown>): boolean {
    if (typeof m.engine === "number") {
      const p = this.#engines.get(m.engine);
      if (!p) return false;
      this.#log.info(`soft shutdown of engine ${m.engine} requested`);
      this.#drainEngine(p);
      this.#pump();
      return true;
    }
    if (typeof m.context === "number") {
      if (!this.#contexts.has(m.context)) return false;
      this.#stopContext(m.context, "soft shutdown requested");
      this.#pump();
      return true;
    }
    return false;
  }

  /**
   * Appends a status line. One that cannot be written ends the run like a fatal error: running
   * tasks are killed and nothing more is recorded, so a resume runs whatever has no line.
   */
  #writeStatus(r: TaskRecord): void {
    try {
      this.#status.record(r);
    } catch (e) {
      if (!(e instanceof RunFileError)) throw e;
      this.#log.error(e.message);
      if (this.#outcome.stoppedBy === null) this.#stop("status_write", e);
      else {
        // Already stopping (e.g. a signal): the lost record is what the run must report.
        for (const p of this.#engines.values()) p.conn.send({ t: "kill" });
        this.#outcome.stoppedBy = "status_write";
        this.#outcome.error = e;
      }
    }
  }

  /** Writes a task's final record, counts it for monitors and routes it to its submitter. */
  #recordFinal(r: TaskRecord): void {
    this.#writeStatus(r);
    this.#doneCount++;
    this.#route(r);
    this.#stateDirty = true;
    this.#failures.add(r);
  }

  #tick(): void {
    const restored = this.#status.restoreIfDeleted();
    if (restored) {
      this.#log.warn(restored);
      this.#report.warn(`disbatch: warning: ${restored}`);
    }
    const t = now();
    this.#rateSamples.push([t, this.#doneCount]);
    while (this.#rateSamples.length > 11) this.#rateSamples.shift();
    if (this.#watchers.size > 0 && this.#stateDirty) {
      this.#stateDirty = false;
      const state = this.snapshot();
      for (const w of this.#watchers) w.send({ t: "state", state });
    }
  }

  /** The run as monitors see it. */
  snapshot(): RunState {
    const t = now();
    const first = this.#rateSamples[0];
    const rate = first && t - first[0] > 0.5 ? (this.#doneCount - first[1]) / (t - first[0]) : 0;
    const total = this.#cfg.total;
    const remaining = total === null
      ? null
      : Math.max(0, total - this.#doneCount - this.#barriersDone);
    const engines = [...this.#sched.engines.values()].map((e) => ({
      rank: e.rank,
      contextRank: e.contextRank,
      node: e.node,
      host: e.host,
      pid: e.pid,
      cylinders: e.cylinders,
      status: e.status,
      tasks: [...e.tasks],
      ...engineLoad(e.cylinders, e.tasks.size),
      assigned: e.assigned,
      finished: e.finished,
      failed: e.failed,
      silentFor: Math.max(0, t - e.lastHeard),
      since: e.since,
    }));
    const running = engines.reduce((n, e) => n + e.running, 0);
    const queued = engines.reduce((n, e) => n + e.queued, 0);
    return {
      prefix: this.#cfg.prefix,
      jobId: this.#runInfo?.jobId ?? "",
      driverHost: this.#host,
      driverPid: Deno.pid,
      started: this.#started,
      now: t,
      total,
      eof: this.#eof,
      done: this.#doneCount,
      failed: this.#failures.count,
      skipped: this.#skipped,
      running,
      queued,
      waiting: this.#sched.pendingCount,
      barriers: this.#barriersDone,
      rate,
      eta: remaining !== null && rate > 0 ? remaining / rate : null,
      stoppedBy: this.#outcome.stoppedBy,
      finished: this.#finished,
      exitCode: this.#finished ? this.#cfg.exitCodeOf(this.#outcome) : null,
      engines,
      contexts: this.#contextList(),
      recentFailures: [...this.#failures.recent],
      failedIds: [...this.#failures.ids],
    };
  }

  #contextList(): RunState["contexts"] {
    const out: RunState["contexts"] = [];
    for (const c of this.#contextsSeen.values()) {
      out.push({ ...c, connected: this.#contexts.has(c.rank) });
    }
    return out;
  }

  #addContext(conn: Connection, m: Record<string, unknown>): void {
    if (this.#finished) {
      conn.send({ t: "run_done" });
      void conn.bye();
      return;
    }
    const rank = this.#nextContext++;
    const peer: ContextPeer = {
      rank,
      conn,
      label: String(m.label || `${m.sysid === "Slurm" ? "J" : "SSH"}${rank}`),
      host: String(m.host ?? ""),
      nodes: Array.isArray(m.nodes) ? m.nodes.map(String) : [],
    };
    this.#contexts.set(rank, peer);
    const limit = Number(m.taskLimit ?? 0);
    if (Number.isInteger(limit) && limit > 0) this.#sched.setContextLimit(rank, limit);
    this.#contextsSeen.set(rank, {
      rank,
      label: peer.label,
      host: peer.host,
      nodes: peer.nodes,
    });
    this.#log.info(`context ${rank} (${peer.label}) registered from ${conn.peer}`);
    conn.attach({
      message: (msg) => {
        if (msg.t === "engine_exit") {
          this.#log.info(`context ${rank}: engine on ${msg.node} exited with ${msg.code}`);
        } else if (msg.t === "bye") conn.close();
      },
      closed: () => {
        this.#contexts.delete(rank);
        this.#log.info(`context ${rank} disconnected`);
        this.#pump();
      },
    });
    conn.send({ t: "ctx_accept", rank, run: this.#runInfo! });
  }

  #addEngine(conn: Connection, m: Record<string, unknown>): void {
    if (this.#finished || this.#outcome.stoppedBy !== null) {
      conn.send({ t: "run_done" });
      void conn.bye();
      return;
    }
    const rank = this.#nextEngine++;
    const peer: EnginePeer = {
      rank,
      conn,
      node: String(m.node),
      drained: false,
      killed: false,
    };
    this.#engines.set(rank, peer);
    this.#sched.addEngine({
      rank,
      contextRank: Number(m.contextRank),
      node: peer.node,
      host: String(m.host),
      pid: Number(m.pid),
      cylinders: Number(m.cylinders),
    });
    this.#log.info(
      `engine ${rank} registered: node ${peer.node}, pid ${m.pid}, ${m.cylinders} cylinders`,
    );
    conn.attach({
      message: (msg) => this.#onEngineMessage(peer, msg),
      closed: () => this.#onEngineClosed(peer),
    });
    conn.send({ t: "eng_accept", rank, run: this.#runInfo! });
    for (const item of this.#peStart) this.#sendPerEngine(peer, item);
    for (const item of this.#peStop) this.#sendPerEngine(peer, item);
    if (this.#peClosed) conn.send({ t: "pe_end" });
    this.#pump();
  }

  #onEngineMessage(peer: EnginePeer, m: Record<string, unknown>): void {
    this.#sched.heard(peer.rank);
    if (m.t !== "ping" && m.t !== "pong") this.#stateDirty = true;
    switch (m.t) {
      case "ready":
        this.#sched.engineReady(peer.rank);
        break;
      case "result":
        this.#onResult(peer, m as unknown as TaskOutcome & Record<string, unknown>);
        break;
      case "returned":
        // A draining engine gives back the tasks it had queued but not started.
        for (const a of this.#sched.unassign(peer.rank, (m.ids as number[]) ?? []).reverse()) {
          this.#sched.enqueue(a.item, a.attempt, true);
        }
        break;
      case "stopped":
        this.#sched.stopped(peer.rank);
        this.#log.info(`engine ${peer.rank} stopped`);
        break;
      case "bye":
        this.#sched.stopped(peer.rank);
        peer.conn.close();
        break;
      case "ping":
        peer.conn.send({ t: "pong" });
        return;
      case "pong":
        return;
      default:
        this.#log.warn(`engine ${peer.rank}: unexpected message ${String(m.t)}`);
        return;
    }
    this.#pump();
  }

  #onResult(peer: EnginePeer, m: TaskOutcome & Record<string, unknown>): void {
    const id = Number(m.id);
    const kind = m.kind;
    const base = {
      host: peer.node,
      pid: m.pid,
      rc: m.rc,
      start: m.start,
      finish: m.finish,
      outBytes: m.outBytes,
      outSnippet: m.outSnippet,
      errBytes: m.errBytes,
      errSnippet: m.errSnippet,
    };
    if (kind === "START" || kind === "STOP") {
      const item = (kind === "START" ? this.#peStart : this.#peStop)[id];
      if (!item) return;
      const rec: TaskRecord = {
        kind: "P",
        taskId: id,
        line: item.line,
        repeat: -1,
        ...base,
        command: item.command,
      };
      this.#writeStatus(rec);
      if (m.rc !== 0) this.#failed(rec, `PERENGINE ${kind} ${id}`);
      return;
    }
    const a = this.#sched.complete(peer.rank, id, m.rc !== 0);
    if (!a) {
      this.#log.warn(`engine ${peer.rank}: result for task ${id} that is not running there`);
      return;
    }
    this.#notePace(m.finish - m.start);
    const rec: TaskRecord = {
      kind: "N",
      taskId: id,
      line: a.item.line,
      repeat: a.item.repeat,
      ...base,
      command: a.item.command,
    };
    const used = this.#retriesUsed.get(id) ?? 0;
    if (m.rc !== 0 && this.#outcome.stoppedBy === null && used < this.#cfg.retries) {
      // A superseded attempt is a Z line (every resume ignores those); the task runs again next.
      this.#retriesUsed.set(id, used + 1);
      this.#writeStatus({ ...rec, kind: "Z" });
      this.#sched.enqueue(a.item, a.attempt + 1, true);
      this.#log.info(`task ${id} exited with ${m.rc}; retry ${used + 1} of ${this.#cfg.retries}`);
      return;
    }
    this.#retriesUsed.delete(id);
    // Tasks killed by fail-fast or a signal are recorded too (rc -15 or -9): `-r -R` reruns them.
    this.#recordFinal(rec);
    if (m.rc !== 0) this.#failed(rec);
  }

  /**
   * Engines hold one extra task per cylinder while tasks are short, so a cylinder never waits
   * for a round trip to the driver; with long tasks nothing is held back (late joiners get work).
   */
  #notePace(seconds: number): void {
    this.#pace = this.#pace === null ? seconds : 0.8 * this.#pace + 0.2 * seconds;
    this.#sched.setPrefetch(this.#pace < PREFETCH_BELOW_S ? 1 : 0);
  }

  #onEngineClosed(peer: EnginePeer): void {
    this.#stateDirty = true;
    this.#engines.delete(peer.rank);
    const e = this.#sched.engines.get(peer.rank);
    const status = e?.status;
    const lost = this.#sched.lose(peer.rank);
    if (status !== "stopped") {
      this.#log.warn(`engine ${peer.rank} on ${peer.node} lost with ${lost.length} running tasks`);
      // The engine may be hung, not dead, and its launcher (srun, ssh) may wait for a dead
      // node for minutes: its context ends them now, then sees them exit.
      if (e) {
        this.#contexts.get(e.contextRank)?.conn.send({
          t: "engine_lost",
          node: e.node,
          pid: e.pid,
        });
      }
    }
    const t = now();
    for (const a of lost) {
      const rec: TaskRecord = {
        kind: "N",
        taskId: a.item.taskId,
        line: a.item.line,
        repeat: a.item.repeat,
        host: peer.node,
        pid: -1,
        rc: -100,
        start: a.assignedAt,
        finish: t,
        outBytes: 0,
        outSnippet: "",
        errBytes: 0,
        errSnippet: "",
        command: a.item.command,
      };
      if (!this.#cfg.noReissue && this.#outcome.stoppedBy === null) {
        // The lost attempt is recorded as a zombie line (ignored by every resume), the task
        // runs again ahead of everything else.
        this.#writeStatus({ ...rec, kind: "Z" });
        this.#sched.enqueue(a.item, a.attempt + 1, true);
        this.#log.info(`task ${a.item.taskId} reissued (attempt ${a.attempt + 1})`);
      } else {
        this.#recordFinal(rec);
        this.#failed(rec);
      }
    }
    this.#pump();
  }

  #stopContext(contextRank: number, why: string): void {
    this.#log.info(`stopping context ${contextRank}: ${why}`);
    for (const p of this.#engines.values()) {
      const e = this.#sched.engines.get(p.rank);
      if (e?.contextRank === contextRank) this.#drainEngine(p);
    }
  }

  // ---------------------------------------------------------------- auto-launched context

  #launchContext(): void {
    this.#contextLaunched = true;
    if (this.#cfg.startupOnly) {
      this.#report.say("Run this script to add compute contexts:");
      this.#report.say(`   ${this.#scriptPath}`);
      this.#log.info("startup only: waiting for contexts");
      return;
    }
    this.#log.info(
      `launching context in this process: ${this.#scriptPath} ${this.#cfg.contextArgs.join(" ")}`,
    );
    this.#contextRun = this.#cfg.runContext();
    this.#contextRun.then((code) => {
      this.#contextExited = true;
      this.#log.info(`context ended with ${code}`);
      if (code !== 0) this.#outcome.contextCode = code;
      this.#pump();
    });
  }

  // ---------------------------------------------------------------- shutdown

  #onSignal(sig: StopSignal): void {
    this.#log.warn(`received ${sig}`);
    if (this.#outcome.signal !== undefined) {
      this.#end();
      return;
    }
    this.#outcome.signal = sig;
    if (this.#outcome.stoppedBy !== null) {
      // Already stopping for another reason: make it a kill (a lost status line stays the news).
      for (const p of this.#engines.values()) p.conn.send({ t: "kill" });
      if (this.#outcome.stoppedBy !== "status_write") this.#outcome.stoppedBy = "signal";
      return;
    }
    this.#stop("signal");
    this.#pump();
  }

  async #shutdown(): Promise<void> {
    const code = this.#cfg.exitCodeOf(this.#outcome);
    const final = this.snapshot();
    for (const o of this.#observers) {
      o.send({ t: "state", state: final });
      o.send({ t: "end", exitCode: code });
    }
    await Promise.all([...this.#observers].map((o) => o.bye()));
    for (const c of this.#contexts.values()) c.conn.send({ t: "bye" });
    for (const p of this.#engines.values()) {
      p.conn.send({ t: "kill" });
    }
    // Its engines have been told to stop; one that hangs ends by itself once this process and
    // its connections are gone (engines end their tasks when the driver goes away).
    const ctx = this.#contextRun;
    if (ctx && !(await exitedWithin(ctx, 5_000))) this.#log.warn("the context did not end");
    await Promise.all([...this.#contexts.values()].map((c) => c.conn.bye()));
    for (const p of this.#engines.values()) p.conn.close();
    await this.#listener?.close();
    const pending: Promise<void>[] = [];
    for (const c of this.#contexts.values()) pending.push(c.conn.done);
    for (const p of this.#engines.values()) pending.push(p.conn.done);
    await Promise.all(pending);
  }
}
