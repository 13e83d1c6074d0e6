/**
 * Items produced by the task-file parser (spec §4). Commands and keys are raw bytes: task
 * files need not be UTF-8.
 * @module
 */

import type { TaskResources } from "./task_resources.ts";

export type { TaskResources };

/**
 * Longest task command (PREFIX + line + SUFFIX), per-engine command or barrier line, in bytes.
 * Every message that carries one must fit the protocol's line cap (8 MiB) even in the worst
 * case of JSON escaping (6 bytes per byte), so a longer line is a task-file error.
 */
export const MAX_COMMAND_BYTES = 1024 * 1024;

/** A normal task (one line, or one REPEAT instance). */
export interface NormalItem {
  kind: "N";
  taskId: number;
  line: number;
  /** REPEAT index, or -1. */
  repeat: number;
  /** prefix + text + suffix. */
  command: Uint8Array;
  /**
   * Set by a `#DISBATCH TIMEOUT` directive (disbatch's own): seconds, or Infinity for no
   * timeout; absent when the run's `--timeout` applies.
   */
  timeout?: number;
  /** Set by a `#DISBATCH RESOURCES` directive; absent: one slot (a cylinder) of any engine. */
  resources?: TaskResources;
  /** Set by a `#DISBATCH CAPTURE` directive: whether to capture; absent when `--capture` applies. */
  capture?: boolean;
}

/** A BARRIER (kind B) or BARRIER CHECK (kind C). Consumes a task id. */
export interface BarrierItem {
  kind: "B" | "C";
  taskId: number;
  line: number;
  /** The key after the barrier keyword, or null when absent/empty. */
  key: Uint8Array | null;
  /** The directive line as written (recorded as the status-line command). */
  text: Uint8Array;
}

/** A PERENGINE START or STOP command; `index` is its ordinal within its own list. */
export interface PerEngineItem {
  kind: "START" | "STOP";
  index: number;
  line: number;
  command: Uint8Array;
}

/** Marks that the leading per-engine block is closed (no more PERENGINE lines allowed). */
export interface PerEngineEndItem {
  kind: "PEND";
}

/** Everything a task source yields. */
export type TaskItem = NormalItem | BarrierItem | PerEngineItem | PerEngineEndItem;
