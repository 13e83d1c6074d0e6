/**
 * How many tasks an engine holds ahead per cylinder, from the pace of the run's tasks.
 * @module
 */

/** Tasks shorter than this on average (seconds) are prefetched by engines. */
export const PREFETCH_BELOW_S = 1;

/**
 * A moving average of task durations. Engines hold one extra task per cylinder while tasks are
 * short, so a cylinder never waits for a round trip to the driver; with long tasks nothing is
 * held back (late joiners get work).
 */
export class PrefetchPace {
  #pace: number | null = null;

  /** Notes a finished attempt's duration; returns the tasks to hold ahead per cylinder. */
  note(seconds: number): number {
    this.#pace = this.#pace === null ? seconds : 0.8 * this.#pace + 0.2 * seconds;
    return this.#pace < PREFETCH_BELOW_S ? 1 : 0;
  }
}
