/**
 * Keeps a run within its job's time limit: on each tick it reads the job's end time when due
 * (one reading at a time, answered later) and carries out what the wall clock says — drain,
 * then stop. The clock, the reading and the run's reactions are injected.
 * @module
 */
import { WallClock, type WallSettings } from "../sched/wall_clock.ts";

/** What the watch needs of the world. */
export interface WallPorts {
  /** The clock, in epoch seconds. */
  now(): number;
  /** The job's end (epoch seconds, null: no limit); `fresh`: not from a cached value. */
  readEnd(fresh: boolean): Promise<number | null>;
  /** No task is to start any more. */
  drain(): void;
  /** Running tasks are to be stopped. */
  stop(): void;
  log: { info(m: string): void; warn(m: string): void };
}

/** The wall watch of one run (see module doc). */
export class WallWatch {
  readonly #clock: WallClock;
  readonly #io: WallPorts;
  #reads = 0;
  #lastError: string | null = null;

  constructor(settings: WallSettings, io: WallPorts) {
    this.#clock = new WallClock(settings);
    this.#io = io;
  }

  /** The job's end as last read (epoch seconds), or null. */
  get end(): number | null {
    return this.#clock.end;
  }

  /**
   * The first reading, before any task starts: a job that is near its end already starts none.
   * Resolves once it is done (failed or not) and acted on.
   */
  async start(): Promise<void> {
    const t = this.#io.now();
    if (this.#clock.readDue(t)) await this.#read(t);
    else this.tick();
  }

  /** Called now and then (every 500 ms by the driver). */
  tick(): void {
    const t = this.#io.now();
    if (this.#clock.readDue(t)) void this.#read(t);
    const a = this.#clock.due(t);
    if (a === "drain") {
      this.#io.log.info(`the job ends in ${(this.#clock.end! - t).toFixed(0)} s: draining`);
      this.#io.drain();
    } else if (a === "stop") {
      this.#io.log.info(`the job ends in ${(this.#clock.end! - t).toFixed(0)} s: stopping tasks`);
      this.#io.stop();
    }
  }

  #read(t: number): Promise<void> {
    this.#clock.readStarted(t);
    const fresh = this.#reads++ > 0;
    return this.#io.readEnd(fresh).then(
      (end) => {
        if (end !== this.#clock.end) {
          const when = end === null ? "none" : new Date(end * 1000).toISOString();
          this.#io.log.info(`the job's end time: ${when}`);
        }
        this.#lastError = null;
        this.#clock.readEnded(end);
        this.tick();
      },
      (e: Error) => {
        // Said once per run of failures: it is retried at every refresh.
        if (e.message !== this.#lastError) this.#io.log.warn(e.message);
        this.#lastError = e.message;
        this.#clock.readEnded(undefined);
        this.tick();
      },
    );
  }
}
