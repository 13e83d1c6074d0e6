/**
 * The failures a run's state shows: how many final records failed, the first failed ids and
 * the latest failures. Kept by the driver as results come, and rebuilt from a status file for
 * a finished run that recorded no final state (both must agree).
 * @module
 */
import type { FailureView } from "../protocol/messages.ts";
import type { TaskRecord } from "../status/task_record.ts";

/** Latest failures kept for monitors. */
const RECENT_FAILURES = 20;
/** Failed task ids kept for the state snapshot (`failedIds`): the first this many. */
export const MAX_FAILED_IDS = 1000;

const decoder = new TextDecoder();

/** Failures of final task records (see module doc). */
export class FailureLog {
  /** Failed final records. */
  count = 0;
  /** Their ids, the first {@link MAX_FAILED_IDS}. */
  readonly ids: number[] = [];
  /** The latest {@link RECENT_FAILURES}, oldest first. */
  readonly recent: FailureView[] = [];

  /** Notes a final record; one with a zero exit code is not a failure. */
  add(r: TaskRecord): void {
    if (r.rc === 0) return;
    this.count++;
    if (this.ids.length < MAX_FAILED_IDS) this.ids.push(r.taskId);
    this.recent.push({
      taskId: r.taskId,
      line: r.line,
      rc: r.rc,
      host: r.host,
      command: decoder.decode(r.command.subarray(0, 200)),
      finish: r.finish,
    });
    if (this.recent.length > RECENT_FAILURES) this.recent.shift();
  }
}
