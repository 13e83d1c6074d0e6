/**
 * One line of a status file, in memory. Times are epoch seconds (floats); snippets are the
 * decoded text (U+FFFD for invalid UTF-8), not their Python `repr`.
 * @module
 */

/** Record kinds: N normal, B barrier, C check barrier, P per-engine, S skipped, Z zombie. */
export type RecordKind = "N" | "B" | "C" | "P" | "S" | "Z";

/**
 * Return code of an attempt lost with its engine (the node died, hung or was lost): recorded
 * with PID −1, as a Z line when the task is reissued, else as the task's final record.
 */
export const LOST_TASK_RC = -100;

/**
 * Return code of an attempt stopped because its Slurm job was about to end (`--drain-before`):
 * recorded as a Z line, which every resume ignores, so the next run (or chain link) runs it again.
 */
export const WALL_STOP_RC = -101;

/**
 * Return code of a task whose `#DISBATCH RESOURCES` no engine of the run can hold: recorded
 * with PID −1 and the reason as its stderr snippet, without running it.
 */
export const UNPLACEABLE_RC = -102;

/** A status-file record (spec §7). */
export interface TaskRecord {
  kind: RecordKind;
  /** Task id (per-engine tasks: START/STOP ordinal). */
  taskId: number;
  /** Line number ("stream index"). */
  line: number;
  /** Repeat index, -1 when not from REPEAT. */
  repeat: number;
  host: string;
  pid: number;
  rc: number;
  start: number;
  finish: number;
  outBytes: number;
  outSnippet: string;
  errBytes: number;
  errSnippet: string;
  /** The command bytes, prefix and suffix applied. */
  command: Uint8Array;
}
