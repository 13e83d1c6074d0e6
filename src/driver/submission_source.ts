/**
 * Tasks submitted by clients over the protocol (task-server mode, spec §12.4): each submitted
 * value is parsed at once — so its task ids are known and can be told to the client — while
 * its items are handed to the driver only as slots free up. A submitted task starts as soon as
 * a slot is free: nothing waits for a later submission (the original's look-ahead deadlock).
 * @module
 */
import { Fifo } from "../sched/fifo.ts";
import { splitUniversal } from "../taskfile/line_reader.ts";
import type { TaskItem } from "../taskfile/task_item.ts";
import { TaskParser } from "../taskfile/task_parser.ts";

/** What a submission produced: task ids `[first, next)` (tasks and barriers). */
export interface Accepted {
  first: number;
  next: number;
  line: number;
}

/** An item source fed by {@link SubmissionSource.submit} until {@link SubmissionSource.end}. */
export class SubmissionSource {
  readonly #parser: TaskParser;
  readonly #queue = new Fifo<Iterator<TaskItem>>();
  #line = 0;
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(lenient: boolean, onWarning?: (message: string) => void) {
    this.#parser = new TaskParser({
      file: "<stream>",
      lenient,
      onWarning: onWarning ? (w) => onWarning(w.message) : undefined,
    });
  }

  /** True once the stream was ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Parses one submitted value (it may hold several lines; each value is one line number).
   * Throws TaskFileError for a bad directive: then nothing of the value is queued.
   */
  submit(value: Uint8Array): Accepted {
    if (this.#ended) throw new Error("the task stream has ended");
    const line = ++this.#line;
    const first = this.#parser.nextTaskId;
    // splitUniversal splits on `\n` too; the empty lines it may yield are no-ops (comments).
    const parts = splitUniversal(value).map((text) => this.#parser.feed(text, line));
    for (const p of parts) this.#queue.push(p[Symbol.iterator]());
    this.#wake?.();
    return { first, next: this.#parser.nextTaskId, line };
  }

  /** No more submissions: the run finishes once everything submitted is done. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue.push(this.#parser.end()[Symbol.iterator]());
    this.#wake?.();
  }

  /** The next item, waiting for a submission when none is queued; null after the end. */
  async next(): Promise<TaskItem | null> {
    for (;;) {
      const it = this.#queue.peek();
      if (it) {
        const r = it.next();
        if (!r.done) return r.value;
        this.#queue.shift();
        continue;
      }
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = null;
    }
  }
}
