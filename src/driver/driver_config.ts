/**
 * What the CLI gives the driver: the run's validated options, where its tasks come from, and
 * how to tell a person something now.
 * @module
 */
import type { RunInfo } from "../protocol/messages.ts";
import type { HeartbeatSettings } from "../protocol/heartbeat.ts";
import type { CaptureSettings } from "../protocol/engine_messages.ts";
import type { TaskItem } from "../taskfile/task_item.ts";
import type { RunOutcome } from "./run_outcome.ts";
import type { WallSettings } from "../sched/wall_clock.ts";

/** Where the driver's tasks come from: anything that yields items one at a time. */
export interface ItemSource {
  next(): Promise<TaskItem | null>;
  /**
   * The next item when it is at hand without waiting (null: the end), else undefined: then
   * {@link next} gives it (or the error met). Optional: a source without it is always awaited.
   */
  takeNow?(): TaskItem | null | undefined;
  /**
   * The command of an item to hold past the next read: a source whose commands are views of
   * its read buffer copies it (optional: others give commands to keep).
   */
  keep?(command: Uint8Array): Uint8Array;
}

/** Options of one run, already validated by the CLI. */
export interface DriverConfig {
  /** Absolute output prefix P. */
  prefix: string;
  nameTasks: string;
  failFast: boolean;
  startupOnly: boolean;
  retry: boolean;
  forceResume: boolean;
  noReissue: boolean;
  /** Address to bind (`--use-address`), or null for all interfaces on an ephemeral port. */
  bind: { hostname: string; port: number } | null;
  /** Arguments for the auto-launched context (`P_dbUtil.sh <these>`); for the log. */
  contextArgs: string[];
  /**
   * Runs the auto-launched context and resolves with its exit code (never rejects). The CLI
   * runs it inside this process: a separate process cost every run one more runtime start-up
   * in sequence before the first task (≈ 40 ms).
   */
  runContext(): Promise<number>;
  defaults: RunInfo["defaults"];
  heartbeat: HeartbeatSettings;
  /** `--retries`: extra attempts for a task that exits non-zero. */
  retries: number;
  /** `--timeout`: seconds per task, or null. */
  timeout: number | null;
  /** `--capture` and `--capture-max`. */
  capture: CaptureSettings;
  /** Total task ids when known in advance (a checked regular file), else null. */
  total: number | null;
  /**
   * `--drain-before`: when to drain and stop before the Slurm job's end, and how to read that
   * end (epoch seconds, null: no limit; `fresh`: not a cached value); null without the option.
   */
  wall: {
    settings: WallSettings;
    readEnd(fresh: boolean): Promise<number | null>;
    /** Draining has started (`--chain` submits the next job then). */
    onDrain?: () => void;
  } | null;
  /** The exit code an outcome maps to (decided by the CLI; told to waiting clients). */
  exitCodeOf(outcome: RunOutcome): number;
}

/** Callbacks to the CLI for things a person must see now. */
export interface DriverReporter {
  /** A line for stderr. */
  warn(line: string): void;
  /** A line for stdout. */
  say(line: string): void;
}
