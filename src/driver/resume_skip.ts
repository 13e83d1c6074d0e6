/**
 * Resume (`-r`): which tasks a previous status file lets the run skip, and whether the task now
 * at a recorded id is still the one recorded there (spec §10.2).
 * @module
 */
import type { ResumeIndex } from "../status/resume_index.ts";
import type { ResumeLine } from "../status/resume_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import type { NormalItem } from "../taskfile/task_item.ts";

const decoder = new TextDecoder();

/** A resume record does not match the task at the same id (spec §10.2). */
export class ResumeMismatchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResumeMismatchError";
  }
}

/** Formats the mismatch message of one task. */
export function mismatchMessage(r: TaskRecord, item: NormalItem): string {
  return `Recovery status file task mismatch (use --force-resume to proceed anyway): task ${item.taskId}` +
    ` was line ${r.line} repeat ${r.repeat} '${decoder.decode(r.command)}',` +
    ` is line ${item.line} repeat ${item.repeat} '${decoder.decode(item.command)}'`;
}

/** A task resume skips: its old line (which gives the S line), and a warning when forced. */
export interface Skip {
  old: ResumeLine;
  warning?: string;
}

/**
 * The skip of `item`, or null when it must run. Throws {@link ResumeMismatchError} when the
 * recorded task differs and `force` (`--force-resume`) is off.
 */
export function resumeSkip(
  resume: ResumeIndex | null,
  item: NormalItem,
  opts: { retry: boolean; force: boolean },
): Skip | null {
  const old = resume?.skippable(item.taskId, opts.retry);
  if (!old) return null;
  if (old.matches(item.taskId, item.line, item.repeat, item.command)) return { old };
  const message = mismatchMessage(old.record()!, item);
  if (!opts.force) throw new ResumeMismatchError(message);
  return { old, warning: `--force-resume: ${message}` };
}
