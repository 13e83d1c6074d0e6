/**
 * What the dashboard's charts show, bounded however long the run: a {@link RunSeries} of the
 * snapshots (running tasks, slots, completions) and the last few hundred finished task
 * attempts from the status file. Browsers get it whole when they connect and then as deltas;
 * both may overlap, so points carry their time and attempts a sequence number to merge by.
 * @module
 */
import { RunSeries, sampleOf, type SeriesPoint } from "../monitor/run_series.ts";
import type { RunState } from "../protocol/messages.ts";
import { LOST_TASK_RC, type TaskRecord } from "../status/task_record.ts";

/** How a finished attempt ended, as its bar is coloured. */
export type BarOutcome = "done" | "failed" | "retried" | "lost" | "per-engine";

/** One finished attempt on the timeline. */
export interface TaskBar {
  /** Order of arrival, from 1. */
  seq: number;
  taskId: number;
  line: number;
  host: string;
  start: number;
  finish: number;
  outcome: BarOutcome;
}

/** A `series` event: the whole chart data, or what changed since the previous delta. */
export interface ChartMessage {
  /** Seconds per series bucket. */
  width: number;
  /** Buckets and attempts a browser keeps at most. */
  keepPoints: number;
  keepTasks: number;
  /** Buckets (new or updated), oldest first. */
  points: SeriesPoint[];
  /** Attempts, oldest first. */
  tasks: TaskBar[];
}

/** Sizes of a {@link ChartFeed}. */
export interface ChartFeedOptions {
  /** Seconds per series bucket. */
  width: number;
  /** Buckets kept. */
  points: number;
  /** Finished attempts kept. */
  tasks: number;
}

/** Two-second buckets over half an hour; the last 400 attempts. */
export const DEFAULT_CHART_FEED: ChartFeedOptions = { width: 2, points: 900, tasks: 400 };

/** The outcome of a status record; null for records that are no task attempt (barriers, skips). */
export function barOutcome(r: TaskRecord): BarOutcome | null {
  switch (r.kind) {
    case "N":
      return r.pid === -1 && r.rc === LOST_TASK_RC ? "lost" : r.rc === 0 ? "done" : "failed";
    case "Z":
      return r.pid === -1 && r.rc === LOST_TASK_RC ? "lost" : "retried";
    case "P":
      return "per-engine";
  }
  return null;
}

/** The charts' data of one run. */
export class ChartFeed {
  readonly #o: ChartFeedOptions;
  readonly #series: RunSeries;
  #tasks: TaskBar[] = [];
  #seq = 0;
  /** Where the previous delta ended: its last bucket's time and last attempt. */
  #sentT = -Infinity;
  #sentSeq = 0;

  constructor(o: ChartFeedOptions = DEFAULT_CHART_FEED) {
    this.#o = o;
    this.#series = new RunSeries(o.width, o.points);
  }

  /** A new snapshot. */
  addState(s: RunState): void {
    this.#series.add(sampleOf(s));
  }

  /** Status records as they were appended. */
  addRecords(records: Iterable<TaskRecord>): void {
    for (const r of records) {
      const outcome = barOutcome(r);
      if (!outcome) continue;
      this.#tasks.push({
        seq: ++this.#seq,
        taskId: r.taskId,
        line: r.line,
        host: r.host,
        start: r.start,
        finish: Math.max(r.start, r.finish),
        outcome,
      });
    }
    // Trimmed in batches, not per record: a million records must not cost a million shifts.
    if (this.#tasks.length > 2 * this.#o.tasks) this.#tasks = this.#tasks.slice(-this.#o.tasks);
  }

  /** Everything kept. */
  full(): ChartMessage {
    return this.#message(this.#series.points(), this.#tasks.slice(-this.#o.tasks));
  }

  /** What changed since the previous delta (the last bucket again: it may have grown). */
  delta(): ChartMessage {
    const points = this.#series.since(this.#sentT);
    const tasks = this.#tasks.filter((t) => t.seq > this.#sentSeq).slice(-this.#o.tasks);
    this.#sentT = points.at(-1)?.t ?? this.#sentT;
    this.#sentSeq = this.#seq;
    return this.#message(points, tasks);
  }

  #message(points: SeriesPoint[], tasks: TaskBar[]): ChartMessage {
    return {
      width: this.#o.width,
      keepPoints: this.#o.points,
      keepTasks: this.#o.tasks,
      points,
      tasks,
    };
  }
}
