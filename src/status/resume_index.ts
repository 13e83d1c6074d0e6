/**
 * Old status records by task id, for resume (spec §10.1).
 * @module
 */

import { parseStatusLine } from "./status_line.ts";
import type { TaskRecord } from "./task_record.ts";

/** The normal-task records of earlier status files, one per task id. */
export class ResumeIndex {
  #byId = new Map<number, TaskRecord>();

  /**
   * Adds a parsed record. Only kind N counts (per-engine, barrier, zombie and skipped lines are
   * ignored). For a repeated task id a success replaces a failure; otherwise the first record
   * stays (Python kept the smallest rc, so −9/−100 beat 0 — bug B12).
   */
  add(r: TaskRecord): void {
    if (r.kind !== "N") return;
    const kept = this.#byId.get(r.taskId);
    if (kept === undefined || (kept.rc !== 0 && r.rc === 0)) this.#byId.set(r.taskId, r);
  }

  /**
   * Adds the records of a status file's text (ours or Python disBatch's); lines that are not
   * records are ignored. A last line without its newline is ignored too, and returned: it is
   * a write that was cut short (a crash, a full disk), and its command may be cut, so it must
   * never match or skip a task.
   */
  addText(text: string): string | null {
    const end = text.lastIndexOf("\n") + 1;
    for (const line of text.slice(0, end).split("\n")) {
      if (line === "") continue;
      const r = parseStatusLine(line);
      if (r) this.add(r);
    }
    return end < text.length ? text.slice(end) : null;
  }

  /** The record kept for a task id. */
  get(taskId: number): TaskRecord | undefined {
    return this.#byId.get(taskId);
  }

  /**
   * The record that lets a resumed run skip the task, or undefined when the task must run: it
   * has no record, or it failed and `retryFailed` (`-R`) asks to run failures again.
   */
  skippable(taskId: number, retryFailed: boolean): TaskRecord | undefined {
    const r = this.#byId.get(taskId);
    return r && !(retryFailed && r.rc !== 0) ? r : undefined;
  }

  /** Number of distinct task ids. */
  get size(): number {
    return this.#byId.size;
  }
}
