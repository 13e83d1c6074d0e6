/**
 * Resume (`-r`): which tasks a previous status file lets the run skip, and whether the task now
 * at a recorded id is still the one recorded there (spec §10.2).
 * @module
 */
import type { ResumeIndex } from "../status/resume_index.ts";
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

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Compares a resume record with the task now at its id (id, line, repeat index, command). */
export function resumeMatches(r: TaskRecord, item: NormalItem): boolean {
  return r.taskId === item.taskId && r.line === item.line && r.repeat === item.repeat &&
    bytesEqual(r.command, item.command);
}

/** Formats the mismatch message of one task. */
export function mismatchMessage(r: TaskRecord, item: NormalItem): string {
  return `Recovery status file task mismatch (use --force-resume to proceed anyway): task ${item.taskId}` +
    ` was line ${r.line} repeat ${r.repeat} '${decoder.decode(r.command)}',` +
    ` is line ${item.line} repeat ${item.repeat} '${decoder.decode(item.command)}'`;
}

/** A task resume skips: the record to write for it, and a warning when it was forced. */
export interface Skip {
  record: TaskRecord;
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
  const r = resume?.skippable(item.taskId, opts.retry);
  if (!r) return null;
  const record: TaskRecord = { ...r, kind: "S" };
  if (resumeMatches(r, item)) return { record };
  if (!opts.force) throw new ResumeMismatchError(mismatchMessage(r, item));
  return { record, warning: `--force-resume: ${mismatchMessage(r, item)}` };
}
