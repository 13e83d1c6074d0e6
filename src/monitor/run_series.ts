/**
 * A bounded history of a live run for charts: fixed-width time buckets in a ring, each holding
 * the most tasks seen running, the most slots, and the tasks completed so far. Times come from
 * the samples (the driver's clock in each snapshot), so the series is pure and tested with
 * made-up times.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";

/** One observation of the run. */
export interface RunSample {
  /** Epoch seconds. */
  time: number;
  /** Tasks running. */
  running: number;
  /** Slots of the engines that can run tasks. */
  slots: number;
  /** Tasks completed so far (a count that only grows). */
  completed: number;
}

/** One bucket `[t, t + width)`. */
export interface SeriesPoint {
  /** Start of the bucket, epoch seconds (a multiple of the width). */
  t: number;
  /** The most tasks seen running in the bucket. */
  running: number;
  /** The most slots seen in the bucket. */
  slots: number;
  /** Tasks completed by the last sample in the bucket. */
  completed: number;
}

/** The sample a snapshot gives: slots of the engines running or draining. */
export function sampleOf(s: RunState): RunSample {
  let slots = 0;
  for (const e of s.engines) {
    if (e.status === "running" || e.status === "draining") slots += e.cylinders;
  }
  return { time: s.now, running: s.running, slots, completed: s.done };
}

/** The last `capacity` buckets of `width` seconds; buckets without samples repeat the last. */
export class RunSeries {
  readonly width: number;
  readonly capacity: number;
  #points: SeriesPoint[] = [];
  /** Completed count before the first bucket kept (the first sample's, or an evicted bucket's). */
  #base = 0;

  constructor(width: number, capacity: number) {
    if (!(width > 0) || !(capacity >= 1)) throw new RangeError("bad series size");
    this.width = width;
    this.capacity = Math.floor(capacity);
  }

  /** Adds a sample; one older than the last bucket counts in the last bucket. */
  add(s: RunSample): void {
    const t = Math.floor(s.time / this.width) * this.width;
    const last = this.#points.at(-1);
    if (!last) {
      this.#base = s.completed;
      this.#points.push({ t, running: s.running, slots: s.slots, completed: s.completed });
      return;
    }
    if (t <= last.t) {
      last.running = Math.max(last.running, s.running);
      last.slots = Math.max(last.slots, s.slots);
      last.completed = Math.max(last.completed, s.completed);
      return;
    }
    const gap = Math.round((t - last.t) / this.width) - 1;
    if (gap >= this.capacity) {
      // Nothing kept would survive: start over from this sample.
      this.#points = [];
      this.#base = last.completed;
    } else {
      for (let k = 1; k <= gap; k++) this.#points.push({ ...last, t: last.t + k * this.width });
    }
    this.#points.push({ t, running: s.running, slots: s.slots, completed: s.completed });
    const extra = this.#points.length - this.capacity;
    if (extra > 0) {
      this.#base = this.#points[extra - 1].completed;
      this.#points.splice(0, extra);
    }
  }

  /** The buckets kept, oldest first (copies). */
  points(): SeriesPoint[] {
    return this.#points.map((p) => ({ ...p }));
  }

  /** The buckets starting at or after `t` (copies). */
  since(t: number): SeriesPoint[] {
    return this.#points.filter((p) => p.t >= t).map((p) => ({ ...p }));
  }

  /** Tasks completed in each bucket kept, oldest first. */
  completions(): number[] {
    let before = this.#base;
    return this.#points.map((p) => {
      const n = Math.max(0, p.completed - before);
      before = Math.max(before, p.completed);
      return n;
    });
  }
}
