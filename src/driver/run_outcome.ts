/**
 * How a run ended, as the driver tells the CLI (which turns it into a message and an exit code).
 * @module
 */
import type { StopSignal } from "./stop_signals.ts";

/** Why a run stopped before its natural end. */
export type StopReason =
  | "fail_fast"
  | "check"
  | "signal"
  | "source_error"
  | "mismatch"
  | "starved"
  | "context_failed"
  | "status_write"
  | "internal_error"
  /** The job's time limit is near (`--drain-before`, or the grace before its end). */
  | "walltime";

/** How a run ended (the CLI turns this into a message and an exit code). */
export interface RunOutcome {
  /** Records with a non-zero return code (normal, per-engine, lost, skipped). */
  failures: number;
  /** Normal tasks produced by the source (run or skipped). */
  normalTasks: number;
  stoppedBy: null | StopReason;
  signal?: StopSignal;
  /** Exit code of the auto-launched context when it failed. */
  contextCode?: number;
  /**
   * The source's error (task-file syntax, resume mismatch), the status file's write error, or
   * the driver's own exception (`internal_error`).
   */
  error?: Error;
  /** Tasks that were never run because the run stopped early. */
  unrun: number;
  /**
   * Stopped by the job's time limit with work left (tasks not run, stopped at the wall, or not
   * read yet): a run that resuming completes.
   */
  resumable?: boolean;
  /** Attempts stopped at the job's end (recorded as Z lines with rc −101). */
  wallStopped?: number;
}
