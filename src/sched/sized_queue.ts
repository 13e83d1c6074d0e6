/**
 * The waiting tasks of a run once a task with `#DISBATCH RESOURCES` has been read: a window of
 * the oldest ones is handed to the {@link ResourcePlacer}, which may start any of them (not only
 * the first), and the rest waits in arrival order behind it.
 * @module
 */
import type { NormalItem } from "../taskfile/task_item.ts";
import { Fifo } from "./fifo.ts";
import { type Demand, ResourcePlacer, type Waiting } from "./resource_placer.ts";

/**
 * How many waiting tasks placement looks at: enough to backfill every free core of a large run,
 * and a bound on the work of each pass.
 */
export const WINDOW = 512;

/** A waiting task (with how many times it has run before). */
export interface Entry extends Waiting {
  item: NormalItem;
  attempt: number;
}

/** Waiting tasks and their placement (see module doc). */
export class SizedQueue {
  readonly placer = new ResourcePlacer();
  readonly #rest = new Fifo<Entry>();
  #window: Entry[] = [];
  /** Window entries no live engine could hold at the last {@link take}. */
  #impossible: Entry[] = [];

  /** Tasks waiting. */
  get length(): number {
    return this.#window.length + this.#rest.length;
  }

  /** Queues a task (`front`: ahead of all others, for reissues). */
  push(item: NormalItem, attempt: number, front = false): void {
    const e: Entry = { taskId: item.taskId, item, attempt };
    if (item.resources) e.resources = item.resources;
    if (front) this.#window.unshift(e);
    else this.#rest.push(e);
  }

  /**
   * Places what can start now (`allowed(rank)`: the engine may take one more task); returns
   * the started tasks with their engines, taken out of the queue.
   */
  take(allowed: (rank: number) => boolean): { entry: Entry; engine: number }[] {
    while (this.#window.length < WINDOW && this.#rest.length > 0) {
      this.#window.push(this.#rest.shift()!);
    }
    const w = this.#window;
    const { placed, impossible } = this.placer.place(w, allowed);
    this.#impossible = impossible.map((i) => w[i]);
    if (placed.length === 0) return [];
    const out = placed.map(({ index, engine }) => ({ entry: w[index], engine }));
    const gone = new Set(placed.map((p) => p.index));
    this.#window = w.filter((_, i) => !gone.has(i));
    return out;
  }

  /** Whether the last {@link take} found tasks that no live engine could hold. */
  get hasImpossible(): boolean {
    return this.#impossible.length > 0;
  }

  /** Takes the tasks the last {@link take} found impossible out of the queue and returns them. */
  dropImpossible(): Entry[] {
    const out = this.#impossible;
    this.#impossible = [];
    const gone = new Set(out);
    this.#window = this.#window.filter((e) => !gone.has(e));
    return out;
  }

  /** The largest engine taking work (for messages). */
  largest(): Demand {
    return this.placer.largest();
  }
}
