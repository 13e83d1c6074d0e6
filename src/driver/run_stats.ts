/**
 * What monitors see of a run: counts of finished, failed and passed work, the completion rate
 * over the last ~10 s (one sample a second), and the state snapshot built from them and the
 * scheduler's engines. Pure: the clock is a parameter.
 * @module
 */
import type { ContextView, RunState } from "../protocol/messages.ts";
import { engineLoad } from "../sched/engine_load.ts";
import type { EngineState } from "../sched/scheduler.ts";
import { FailureLog } from "../sched/failure_log.ts";
import type { TaskRecord } from "../status/task_record.ts";

/** Rate samples kept: the rate spans the last ten intervals between them. */
const RATE_SAMPLES = 11;

/** What a snapshot takes from outside the counts (see {@link RunStats.snapshot}). */
export interface SnapshotFacts {
  prefix: string;
  jobId: string;
  driverHost: string;
  driverPid: number;
  /** Total task ids when known in advance, else null. */
  total: number | null;
  eof: boolean;
  skipped: number;
  /** Tasks read and waiting for a slot. */
  waiting: number;
  stoppedBy: string | null;
  finished: boolean;
  exitCode: number | null;
  engines: Iterable<EngineState>;
  contexts: ContextView[];
}

/** Counts and rate of one run (see module doc). */
export class RunStats {
  /** Clock value at the start of the run. */
  readonly started: number;
  /** Final records of normal tasks (run or skipped). */
  done = 0;
  /** Barriers passed. */
  barriers = 0;
  readonly failures = new FailureLog();
  /** Something monitors see changed since the last {@link takeDirty}. */
  #dirty = true;
  /** (time, done) samples for the completion rate. */
  readonly #samples: [number, number][] = [];

  constructor(started: number) {
    this.started = started;
  }

  /** A final record of a normal task. */
  final(r: TaskRecord): void {
    this.done++;
    this.#dirty = true;
    this.failures.add(r);
  }

  /** A final record of a normal task that succeeded (the record itself is not needed). */
  finalOk(): void {
    this.done++;
    this.#dirty = true;
  }

  /** A barrier was passed. */
  barrierPassed(): void {
    this.barriers++;
    this.#dirty = true;
  }

  /** Something else monitors see changed (an engine's state). */
  touch(): void {
    this.#dirty = true;
  }

  /** True when something changed since the last call. */
  takeDirty(): boolean {
    const d = this.#dirty;
    this.#dirty = false;
    return d;
  }

  /** Takes the rate sample of time `t` (called once a second or so). */
  sample(t: number): void {
    this.#samples.push([t, this.done]);
    while (this.#samples.length > RATE_SAMPLES) this.#samples.shift();
  }

  /** Completions per second since the oldest sample (0 before half a second has passed). */
  rate(t: number): number {
    const first = this.#samples[0];
    return first && t - first[0] > 0.5 ? (this.done - first[1]) / (t - first[0]) : 0;
  }

  /** The run's state at time `t`. */
  snapshot(t: number, f: SnapshotFacts): RunState {
    const rate = this.rate(t);
    const remaining = f.total === null ? null : Math.max(0, f.total - this.done - this.barriers);
    const engines = [...f.engines].map((e) => ({
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
    return {
      prefix: f.prefix,
      jobId: f.jobId,
      driverHost: f.driverHost,
      driverPid: f.driverPid,
      started: this.started,
      now: t,
      total: f.total,
      eof: f.eof,
      done: this.done,
      failed: this.failures.count,
      skipped: f.skipped,
      running: engines.reduce((n, e) => n + e.running, 0),
      queued: engines.reduce((n, e) => n + e.queued, 0),
      waiting: f.waiting,
      barriers: this.barriers,
      rate,
      eta: remaining !== null && rate > 0 ? remaining / rate : null,
      stoppedBy: f.stoppedBy,
      finished: f.finished,
      exitCode: f.exitCode,
      engines,
      contexts: f.contexts,
      recentFailures: [...this.failures.recent],
      failedIds: [...this.failures.ids],
    };
  }
}
