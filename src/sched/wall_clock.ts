/**
 * The run against its job's time limit: when to read the job's end time again, when to stop
 * starting tasks (`--drain-before`), and when to stop what still runs (the grace before the
 * end, so that the lines of the stopped tasks are written before Slurm kills the job). Pure:
 * the clock's readings are passed in, the driver reads the end time and carries out the actions.
 * @module
 */

/** Seconds before the job's end at which running tasks are stopped, unless told otherwise. */
export const DEFAULT_WALL_GRACE_S = 30;
/** How often the end time is read again (a job's limit may be raised while it runs). */
export const END_REFRESH_S = 60;
/** Before acting on an end time older than this, it is read again. */
const FRESH_BEFORE_ACTING_S = 5;

/** When to act, in seconds before the job's end. */
export interface WallSettings {
  /** `--drain-before`: no task starts once less than this remains. */
  drainBefore: number;
  /** Running tasks are stopped once less than this remains. */
  grace: number;
  /** Seconds between two readings of the end time. */
  refreshEvery: number;
}

/** What the run must do now: stop starting tasks, or stop every running task. */
export type WallAction = "drain" | "stop";

/** The wall clock of one run (see module doc). */
export class WallClock {
  readonly #s: WallSettings;
  /** Epoch seconds; null: no limit (or not known yet). */
  #end: number | null = null;
  #lastRead = -Infinity;
  #reading = false;
  #phase: "running" | "draining" | "stopped" = "running";

  constructor(settings: WallSettings) {
    this.#s = settings;
  }

  /** The job's end as last read (epoch seconds), or null. */
  get end(): number | null {
    return this.#end;
  }

  /** What the run is at: running, draining (no new tasks), or stopped. */
  get phase(): "running" | "draining" | "stopped" {
    return this.#phase;
  }

  #actionAt(now: number): WallAction | null {
    if (this.#end === null || this.#phase === "stopped") return null;
    const left = this.#end - now;
    if (left <= this.#s.grace) return "stop";
    return this.#phase === "running" && left <= this.#s.drainBefore ? "drain" : null;
  }

  /** Whether the end time should be read now (none is being read). */
  readDue(now: number): boolean {
    if (this.#reading || this.#phase === "stopped") return false;
    const age = now - this.#lastRead;
    if (age >= this.#s.refreshEvery) return true;
    return this.#actionAt(now) !== null && age >= FRESH_BEFORE_ACTING_S;
  }

  /** A reading started at `now`. */
  readStarted(now: number): void {
    this.#reading = true;
    this.#lastRead = now;
  }

  /** A reading ended: `end` in epoch seconds (null: no limit), or undefined when it failed. */
  readEnded(end: number | null | undefined): void {
    this.#reading = false;
    if (end !== undefined) this.#end = end;
  }

  /**
   * The action due at `now`, each given once and in order ("stop" alone when the end is that
   * near already); none while a reading that may move the end is under way.
   */
  due(now: number): WallAction | null {
    if (this.#reading) return null;
    const a = this.#actionAt(now);
    if (a === "stop") this.#phase = "stopped";
    else if (a === "drain") this.#phase = "draining";
    return a;
  }
}
