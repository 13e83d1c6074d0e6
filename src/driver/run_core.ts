/**
 * The run's logic without its I/O: events come in as method calls (an item read, an engine
 * registered, a result, a lost engine, a signal), and everything the run must do goes out
 * through {@link CorePorts} — one call per message or status line — so whole sequences can be
 * tested without sockets or processes. It composes the pure parts: intake (what to read and
 * what an item means), the scheduler (which engine runs what), the result policy (retry,
 * reissue, fail-fast, BARRIER CHECK), the stop rules, the peer registry and the run statistics.
 * Every event ends with {@link RunCore.pump}, which makes whatever progress is possible.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";
import { PrefetchPace } from "../sched/prefetch_pace.ts";
import { Scheduler } from "../sched/scheduler.ts";
import type { ResumeIndex } from "../status/resume_index.ts";
import { type TaskRecord, WALL_STOP_RC } from "../status/task_record.ts";
import type { TaskItem } from "../taskfile/task_item.ts";
import type { DriverConfig } from "./driver_config.ts";
import { Intake } from "./intake.ts";
import {
  type ContextPeer,
  type ContextRegistration,
  type EnginePeer,
  type HeartbeatVerdict,
  PeerRegistry,
} from "./peer_registry.ts";
import {
  type FailedRecord,
  lostRecord,
  perEngineRecord,
  resultOf,
  ResultPolicy,
  taskRecord,
} from "./result_policy.ts";
import { ResumeMismatchError, type Skip } from "./resume_skip.ts";
import type { RunOutcome } from "./run_outcome.ts";
import { RunStats } from "./run_stats.ts";
import { endDecision, noMoreWork, type StopAction, StopRules } from "./stop_rules.ts";
import { LiveFacts } from "./live_facts.ts";
import type { StopSignal } from "./stop_signals.ts";
import type { CorePorts, DriverProcess, EngineRegistration, ResultEvent } from "./core_ports.ts";
import { placementSettled, unplaceableMessage, unplaceableRecord } from "./sized_tasks.ts";
import { formatResources } from "../taskfile/task_resources.ts";

export type { CorePorts, DriverProcess, EngineRegistration, ResultEvent };

/** The logic of one run (see module doc). */
export class RunCore<C> {
  readonly #cfg: DriverConfig;
  readonly #io: CorePorts<C>;
  readonly #host: DriverProcess;
  readonly sched: Scheduler;
  readonly peers = new PeerRegistry<C>();
  readonly #intake: Intake;
  readonly #policy: ResultPolicy;
  readonly #stop = new StopRules();
  readonly #stats: RunStats;
  readonly #facts: LiveFacts;
  readonly #freeSlots = () => this.sched.freeSlots;
  readonly #pace = new PrefetchPace();
  /** The job's end is near: attempts that end now are stopped at the wall, not failures. */
  #wallKilled = false;
  #wallStopped = 0;

  constructor(
    cfg: DriverConfig,
    resume: ResumeIndex | null,
    io: CorePorts<C>,
    driver: DriverProcess,
  ) {
    this.#cfg = cfg;
    this.#io = io;
    this.#host = driver;
    this.sched = new Scheduler(() => io.now());
    this.#intake = new Intake(resume, {
      retry: cfg.retry,
      force: cfg.forceResume,
      keep: io.keepCommand,
    });
    this.#policy = new ResultPolicy(cfg);
    this.#stats = new RunStats(io.now());
    this.#facts = new LiveFacts(this.#intake, this.sched, this.peers, cfg.startupOnly);
  }

  /** True once any stop has begun. */
  get stopping(): boolean {
    return this.#stop.stopping;
  }

  /** True once the run has ended. */
  get finished(): boolean {
    return this.#stop.finished;
  }

  /** How the run ended (so far). */
  outcome(): RunOutcome {
    const counts = { failures: this.#policy.failures, normalTasks: this.#intake.normalTasks };
    if (this.#stop.stoppedBy !== "walltime" && this.#wallStopped === 0) {
      return this.#stop.outcome(counts);
    }
    const left = this.#intake.leftOver(this.sched.pendingCount + this.sched.inflightCount);
    const wallStopped = this.#wallStopped;
    return this.#stop.outcome(counts, { resumable: left || wallStopped > 0, wallStopped });
  }

  // ---------------------------------------------------------------- progress

  /** Makes whatever progress is possible: barriers, reads, assignments, releases, the end. */
  pump(): void {
    if (this.#stop.finished) return;
    if (!this.#stop.stopping) this.#passBarrier();
    if (!this.#stop.stopping) {
      this.#maybePull();
      const { assignments, limitReached } = this.sched.assign();
      for (const a of assignments) {
        const p = this.peers.engines.get(a.engine);
        if (!p) continue;
        const res = a.item.resources;
        if (res) {
          this.#io.log.info(`task ${a.item.taskId} on engine ${p.rank}: ${formatResources(res)}`);
        }
        this.#io.task(p, a.item, a.item.timeout ?? this.#cfg.timeout);
      }
      if (this.sched.hasImpossible) this.#failUnplaceable();
      for (const c of limitReached) this.#io.log.info(`context ${c} has been given its task limit`);
      for (const rank of this.sched.spentEngines()) this.#drainEngine(rank);
    } else this.#maybePull();
    this.#drainIdle();
    this.#checkEnd();
  }

  /** Stopped by the job's end, with a checked task file (other sources may never answer). */
  get #learningEnd(): boolean {
    return this.#stop.stoppedBy === "walltime" && this.#cfg.total !== null;
  }

  #maybePull(): void {
    const { pendingCount } = this.sched;
    // Stopped by the job's end, whether work is left decides the exit code: a checked task
    // file is read on (nothing starts) to a task that must run, or to its end.
    const pull = this.#stop.stoppedBy === "walltime"
      ? this.#learningEnd && this.#intake.learnsEnd(pendingCount)
      : this.#intake.wants(this.#stop.stopping, pendingCount, this.#freeSlots);
    if (!pull) return;
    this.#intake.pullStarted();
    this.#io.pull();
  }

  /** The source yielded `item` (null: its end). */
  itemRead(item: TaskItem | null): void {
    this.#intake.pullEnded();
    try {
      this.#onItem(item);
    } catch (error) {
      // Anything else is a bug, not a property of the task file: it is the caller's to report.
      if (!(error instanceof ResumeMismatchError)) throw error;
      this.#io.log.error(`task source: ${error.message}`);
      this.#stopBy((s) => s.stop("mismatch", error));
    }
    this.pump();
  }

  /** The source failed (task-file syntax, an unreadable input). */
  sourceFailed(error: Error): void {
    this.#intake.pullEnded();
    this.#io.log.error(`task source: ${error.message}`);
    this.#stopBy((s) => s.stop("source_error", error));
    this.pump();
  }

  #onItem(item: TaskItem | null): void {
    // The time is a barrier's start only (the clock, read per item, showed in a resume's profile).
    const t = item?.kind === "B" || item?.kind === "C" ? this.#io.now() : 0;
    for (const a of this.#intake.take(item, t)) {
      switch (a.t) {
        case "eof":
          this.#io.log.info("end of task source");
          if (a.noTasks) this.#io.report.warn("No tasks to run.");
          break;
        case "pe_end":
          for (const p of this.peers.engines.values()) this.#io.perEngineEnd(p);
          break;
        case "pe":
          if (this.#stop.stoppedBy === "walltime") break; // read only to learn the end
          for (const p of this.peers.engines.values()) this.#io.perEngine(p, a.item);
          break;
        case "skip":
          this.#skip(a.skip);
          break;
        case "enqueue":
          this.sched.enqueue(a.item);
          break;
        case "launch_context":
          // Read only to learn the end: nothing is to run.
          if (this.#stop.stoppedBy !== "walltime") this.#launchContext();
      }
    }
  }

  /**
   * Tasks that no engine can hold fail (rc UNPLACEABLE_RC) once the engines are all there
   * (sized_tasks.ts): the run goes on with the others, ending with failed tasks.
   */
  #failUnplaceable(): void {
    const now = this.#io.now();
    if (!placementSettled(this.peers.contexts.values(), this.sched.engines.values(), now)) return;
    const { tasks, largest } = this.sched.dropImpossible();
    for (const { item } of tasks) {
      const message = unplaceableMessage(item, largest);
      this.#io.log.error(message);
      this.#io.report.warn(message);
      const rec = unplaceableRecord(item, message, now, this.#host.host);
      this.#recordFinal(rec);
      this.#failed(rec);
    }
  }

  #launchContext(): void {
    if (!this.#cfg.startupOnly) return this.#io.launchContext();
    this.#io.report.say("Run this script to add compute contexts:");
    this.#io.report.say(`   ${this.#io.scriptPath()}`);
    this.#io.log.info("startup only: waiting for contexts");
  }

  #passBarrier(): void {
    if (!this.#intake.barrier) return;
    const outstanding = this.sched.pendingCount + this.sched.inflightCount;
    const { host, pid } = this.#host;
    const passed = this.#intake.passBarrier(outstanding, this.#io.now(), host, pid);
    if (!passed) return;
    this.#stats.barrierPassed();
    this.#write(passed.record);
    // A client that submitted the barrier learns it was passed (its id must not wait forever).
    this.#io.deliver(passed.record.taskId, () => passed.record);
    const check = this.#policy.barrierPassed(passed.item);
    if (check) {
      this.#io.report.warn(check);
      this.#stopBy((s) => s.stop("check"));
    }
  }

  /** A final record failed (`what` names it for fail-fast: a task, or a per-engine command). */
  #failed(r: FailedRecord, what = `task ${r.taskId}`): void {
    const failFast = this.#policy.failed(r, what, this.#stop.stopping);
    if (failFast) {
      this.#io.report.warn(failFast);
      this.#stopBy((s) => s.stop("fail_fast"));
    }
  }

  /** The one stop path: applies a change of the stop rules and carries out its actions. */
  #stopBy(change: (s: StopRules) => StopAction[]): void {
    const wasRunning = !this.#stop.stopping;
    const actions = change(this.#stop);
    if (wasRunning && this.#stop.stopping) {
      const { stoppedBy, error } = this.outcome();
      this.#io.log.info(`stopping: ${stoppedBy}${error ? `: ${error.message}` : ""}`);
    }
    for (const a of actions) {
      if (a === "drain_all") {
        for (const rank of this.peers.engines.keys()) this.#drainEngine(rank);
      } else if (a === "kill_all") {
        for (const p of this.peers.engines.values()) this.#io.kill(p);
      } else if (a === "arm_abandon") this.#io.armAbandon();
      else this.end();
    }
  }

  #drainEngine(rank: number): void {
    const p = this.peers.engines.get(rank);
    if (!p || !this.peers.drain(p)) return;
    this.sched.drain(rank);
    this.#io.drain(p);
  }

  /** Once nothing is left to hand out, idle engines are released (they may retire nodes). */
  #drainIdle(): void {
    const stopping = this.#stop.stopping;
    if (!noMoreWork(stopping, this.#facts)) return;
    let idle = this.sched.idleEngines();
    if (!stopping && !this.#cfg.noReissue && this.sched.inflightCount > 0 && idle.length > 0) {
      // One idle engine on the driver's host stays while tasks run elsewhere, to take them over
      // if their engine is lost (under Slurm the driver's node is never retired anyway).
      // Elsewhere a spare would hold a whole allocated node idle for the rest of the run.
      const spare = idle.find((e) => this.#host.onDriverHost(e.host));
      idle = idle.filter((e) => e !== spare);
    }
    for (const e of idle) this.#drainEngine(e.rank);
  }

  #checkEnd(): void {
    // Whether the task file has more is known before the run ends (see #maybePull).
    if (this.#learningEnd && this.#intake.pulling) return;
    const decision = endDecision(this.#stop.stopping, this.#facts);
    if (decision === "end") this.end();
    else if (decision === "learn_eof") {
      this.#intake.learnEof();
      this.#maybePull();
    } else if (decision === "starved") {
      this.#stopBy((r) => r.stop(r.starvedReason()));
      this.end();
    }
  }

  /** Ends the run now (also when killed engines did not answer in time). */
  end(): void {
    // Held status lines go out before the outcome is final: a failure to write them changes it.
    this.#written(this.#io.flush());
    const unrun = this.sched.pendingCount + this.sched.inflightCount;
    if (this.#stop.end(unrun)) this.#io.ended();
  }

  /**
   * Appends a status line. One that cannot be written ends the run like a fatal error: running
   * tasks are killed and nothing more is recorded, so a resume runs whatever has no line.
   */
  #write(r: TaskRecord): void {
    this.#written(this.#io.write(r));
  }

  /** The outcome of a status write (see {@link #write}). */
  #written(error: Error | null): void {
    if (error) {
      this.#io.log.error(error.message);
      this.#stopBy((s) => s.statusWriteFailed(error));
    }
  }

  /** Status lines held for a batched write could not be written (see {@link #write}). */
  statusWriteFailed(error: Error): void {
    this.#written(error);
    this.pump();
  }

  /**
   * Records a task that resume skips: its S line, copied from the old line, and its count;
   * the record itself is parsed only for a failure (or a client waiting for it).
   */
  #skip({ old, warning }: Skip): void {
    if (warning) this.#io.log.warn(warning);
    this.#written(this.#io.writeSkipLine(old.skipLine()));
    const record = (): TaskRecord => ({ ...old.record()!, kind: "S" });
    if (old.rc === 0) {
      this.#stats.finalOk();
      this.#io.deliver(old.taskId, record);
      return;
    }
    const r = record();
    this.#stats.final(r);
    this.#io.deliver(r.taskId, () => r);
    this.#failed(r);
  }

  /** Writes a task's final record, counts it for monitors and routes it to its submitter. */
  #recordFinal(r: TaskRecord): void {
    this.#write(r);
    this.#stats.final(r);
    this.#io.deliver(r.taskId, () => r);
  }

  // ---------------------------------------------------------------- stops from outside

  /** A stop signal: the same stop path as every other stop; a second one ends the run now. */
  signal(sig: StopSignal): void {
    this.#stopBy((s) => s.signal(sig));
    this.pump();
  }

  /** The job's end is near (`--drain-before`): nothing new starts, running tasks go on. */
  wallDrain(): void {
    this.#stopBy((s) => s.stop("walltime"));
    this.pump();
  }

  /**
   * The job is about to end: running tasks are stopped, and each attempt that ends without
   * success from now on is a Z line with rc {@link WALL_STOP_RC}: a resume runs it again.
   */
  wallStop(): void {
    this.#wallKilled = true;
    this.#stopBy((s) => s.wallReached());
    this.pump();
  }

  /** Records an attempt stopped at the wall (see {@link wallStop}). */
  #wallStoppedRecord(rec: TaskRecord, rc: number): void {
    this.#wallStopped++;
    this.#write({ ...rec, kind: "Z", rc: WALL_STOP_RC });
    this.#io.log.info(`task ${rec.taskId} stopped at the job's end (it exited with ${rc})`);
  }

  /** The driver failed in its own code: the run stops, killing its tasks. */
  internalError(error: Error): void {
    this.#stopBy((s) => s.stop("internal_error", error));
    this.pump();
  }

  /** Soft shutdown of one engine: its running tasks finish, nothing new starts there. */
  softStopEngine(rank: number): boolean {
    if (!this.peers.engines.has(rank)) return false;
    this.#io.log.info(`soft shutdown of engine ${rank} requested`);
    this.#drainEngine(rank);
    this.pump();
    return true;
  }

  /** Soft shutdown of every engine of a context. */
  softStopContext(rank: number): boolean {
    if (!this.peers.contexts.has(rank)) return false;
    this.#io.log.info(`stopping context ${rank}: soft shutdown requested`);
    for (const e of this.sched.engines.values()) {
      if (e.contextRank === rank) this.#drainEngine(e.rank);
    }
    this.pump();
    return true;
  }

  // ---------------------------------------------------------------- contexts

  /** A context registers; null when the run is over (it is told so). */
  addContext(conn: C, r: ContextRegistration, taskLimit: number): ContextPeer<C> | null {
    if (this.#stop.finished) return null;
    const peer = this.peers.addContext(conn, r);
    if (Number.isInteger(taskLimit) && taskLimit > 0) {
      this.sched.setContextLimit(peer.rank, taskLimit);
    }
    return peer;
  }

  /** A context disconnected. */
  contextClosed(rank: number): void {
    this.peers.contexts.delete(rank);
    this.#io.log.info(`context ${rank} disconnected`);
    this.pump();
  }

  /** The auto-launched context exited with `code`. */
  contextExited(code: number): void {
    this.#facts.contextExited = true;
    this.#io.log.info(`context ended with ${code}`);
    this.#stop.contextExited(code);
    this.pump();
  }

  // ---------------------------------------------------------------- engines

  /** An engine registers; null when the run is stopping (it is told so). */
  addEngine(conn: C, r: EngineRegistration): EnginePeer<C> | null {
    if (this.#stop.stopping) return null;
    const peer = this.peers.addEngine(conn, r.node);
    this.sched.addEngine({ rank: peer.rank, ...r });
    this.#io.log.info(
      `engine ${peer.rank} registered: node ${r.node}, pid ${r.pid}, ${r.cylinders} cylinders`,
    );
    return peer;
  }

  /** The engine was accepted: it learns the per-engine commands so far, then takes work. */
  engineJoined(peer: EnginePeer<C>): void {
    const pe = this.#intake.perEngine;
    for (const item of pe.items) this.#io.perEngine(peer, item);
    if (pe.closed) this.#io.perEngineEnd(peer);
    this.pump();
  }

  /** Something arrived from the engine (`news`: more than a ping or pong). */
  heard(rank: number, news: boolean): void {
    this.sched.heard(rank);
    if (news) this.#stats.touch();
  }

  /** The engine finished its START commands: it takes work. */
  engineReady(rank: number): void {
    this.sched.engineReady(rank);
    this.pump();
  }

  /** A draining engine gives back the tasks it had queued but not started. */
  tasksReturned(rank: number, ids: number[]): void {
    for (const a of this.sched.unassign(rank, ids).reverse()) {
      this.sched.enqueue(a.item, a.attempt, true);
    }
    this.pump();
  }

  /** The engine stopped (it said so). */
  engineStopped(rank: number): void {
    this.sched.stopped(rank);
    this.pump();
  }

  /** A result from the engine. */
  result(peer: EnginePeer<C>, r: ResultEvent): void {
    this.#onResult(peer, r);
    this.pump();
  }

  #onResult(peer: EnginePeer<C>, m: ResultEvent): void {
    const { id, rc } = m;
    const result = resultOf(m);
    if (m.kind === "START" || m.kind === "STOP") {
      const item = this.#intake.perEngineItem(m.kind, id);
      if (!item) return;
      const rec = perEngineRecord(item, id, peer.node, result);
      this.#write(rec);
      if (rc !== 0) this.#failed(rec, `PERENGINE ${m.kind} ${id}`);
      return;
    }
    const a = this.sched.complete(peer.rank, id, rc !== 0);
    if (!a) {
      this.#io.log.warn(`engine ${peer.rank}: result for task ${id} that is not running there`);
      return;
    }
    this.sched.setPrefetch(this.#pace.note(m.finish - m.start));
    const rec = taskRecord(a.item, peer.node, result);
    if (this.#wallKilled && rc !== 0) return this.#wallStoppedRecord(rec, rc);
    const decision = this.#policy.result(id, rc, this.#stop.stopping);
    if (decision.t === "retry") {
      // A superseded attempt is a Z line (every resume ignores those); the task runs again next.
      this.#write({ ...rec, kind: "Z" });
      this.sched.enqueue(a.item, a.attempt + 1, true);
      this.#io.log.info(`task ${id} exited with ${rc}; retry ${decision.n} of ${decision.of}`);
      return;
    }
    // Tasks killed by fail-fast or a signal are recorded too (rc -15 or -9): `-r -R` reruns them.
    this.#recordFinal(rec);
    if (rc !== 0) this.#failed(rec);
  }

  /** The engine's connection is gone: unless it had stopped, it is lost with its tasks. */
  engineClosed(peer: EnginePeer<C>): void {
    this.#stats.touch();
    this.peers.engines.delete(peer.rank);
    const e = this.sched.engines.get(peer.rank);
    const status = e?.status;
    const lost = this.sched.lose(peer.rank);
    if (status !== "stopped") {
      this.#io.log.warn(
        `engine ${peer.rank} on ${peer.node} lost with ${lost.length} running tasks`,
      );
      // The engine may be hung, not dead, and its launcher (srun, ssh) may wait for a dead
      // node for minutes: its context ends them now, then sees them exit.
      const ctx = e && this.peers.contexts.get(e.contextRank);
      if (ctx) this.#io.engineLost(ctx, e.node, e.pid);
    }
    const t = this.#io.now();
    for (const a of lost) {
      const rec = lostRecord(a.item, peer.node, a.assignedAt, t);
      if (this.#wallKilled) this.#wallStoppedRecord(rec, rec.rc);
      else if (this.#policy.lost(this.#stop.stopping) === "reissue") {
        // The lost attempt is a zombie line (ignored by every resume); the task runs again
        // ahead of everything else.
        this.#write({ ...rec, kind: "Z" });
        this.sched.enqueue(a.item, a.attempt + 1, true);
        this.#io.log.info(`task ${a.item.taskId} reissued (attempt ${a.attempt + 1})`);
      } else {
        this.#recordFinal(rec);
        this.#failed(rec);
      }
    }
    this.pump();
  }

  // ---------------------------------------------------------------- monitors

  /**
   * The heartbeat: engines silent for longer than the timeout are declared lost (the driver
   * closes them, and they are lost when closed); the others are to be pinged.
   */
  heartbeat(): HeartbeatVerdict<C> {
    const t = this.#io.now();
    const limit = this.#cfg.heartbeat.timeoutMs / 1000;
    const v = this.peers.heartbeat(t, limit, (r) => this.sched.engines.get(r)?.lastHeard);
    // Nothing else may happen before the engines are taken to be all there (sized_tasks.ts).
    if (this.sched.hasImpossible) this.pump();
    for (const { peer: { rank, node }, silentFor } of v.lost) {
      this.#io.log.warn(
        `engine ${rank} on ${node} silent for ${silentFor.toFixed(1)} s; declared lost`,
      );
    }
    return v;
  }

  /** Takes the rate sample of now; true when `watched` and monitors should get a new state. */
  tick(watched: boolean): boolean {
    this.#stats.sample(this.#io.now());
    return watched && this.#stats.takeDirty();
  }

  /** The run as monitors see it; `run`: what the driver alone knows. */
  snapshot(run: { prefix: string; jobId: string }): RunState {
    const finished = this.#stop.finished;
    const state = this.#stats.snapshot(this.#io.now(), {
      ...run,
      driverHost: this.#host.host,
      driverPid: this.#host.pid,
      total: this.#cfg.total,
      eof: this.#intake.eof,
      skipped: this.#intake.skipped,
      waiting: this.sched.pendingCount,
      stoppedBy: this.#stop.stoppedBy,
      finished,
      exitCode: finished ? this.#cfg.exitCodeOf(this.outcome()) : null,
      engines: this.sched.engines.values(),
      contexts: this.peers.contextList(),
    });
    for (const e of state.engines) Object.assign(e, this.sched.resourceView(e.rank));
    return state;
  }
}
