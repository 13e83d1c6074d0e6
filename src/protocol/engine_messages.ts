/**
 * Driver ↔ engine (docs/protocol.md, "Engines"): registration, per-engine tasks, tasks and
 * their results, draining, killing and the heartbeat.
 *
 * No timeout is spelled one way on the wire: a `task` without `timeout` has none.
 * @module
 */
import {
  byeShape,
  commandProblem,
  commandShape,
  runInfoShape,
  taskOutcomeShape,
  toWire,
} from "./messages.ts";
import {
  arrayOf,
  direction,
  int,
  type MessageOf,
  object,
  oneOf,
  optional,
  positive,
  side,
  string,
} from "./wire_schema.ts";
import type { NormalItem } from "../taskfile/task_item.ts";

/** What the driver sends an engine. */
export const driverToEngine = direction("driver → engine", {
  eng_accept: { rank: int, run: object(runInfoShape) },
  run_done: {},
  pe: { which: oneOf("START", "STOP"), index: int, line: int, ...commandShape },
  pe_end: {},
  task: {
    id: int,
    line: int,
    rep: int,
    timeout: optional(positive),
    res: optional(object({ cores: int, gpus: int, memMiB: int })),
    capture: optional(int),
    ...commandShape,
  },
  drain: {},
  kill: {},
  ping: {},
  bye: byeShape,
}, { pe: commandProblem, task: commandProblem });

/** What an engine sends the driver. */
export const engineToDriver = direction("engine → driver", {
  eng_register: {
    contextRank: int,
    node: string,
    host: string,
    pid: int,
    cylinders: int,
    coresPerCylinder: int,
    gpus: optional(int),
    slotGpus: optional(int),
    memMiB: optional(int),
  },
  ready: {},
  result: { kind: oneOf("N", "START", "STOP"), id: int, cyl: int, ...taskOutcomeShape },
  returned: { ids: arrayOf(int) },
  stopped: {},
  pong: {},
  bye: byeShape,
});

/** A message from the driver to an engine. */
export type DriverToEngine = MessageOf<typeof driverToEngine.shapes>;
/** A message from an engine to the driver. */
export type EngineToDriver = MessageOf<typeof engineToDriver.shapes>;

/** Checks a parsed line from the driver; throws ProtocolError when it is not one of these. */
export const decodeDriverToEngine: (raw: unknown) => DriverToEngine = driverToEngine.decode;
/** Checks a parsed line from an engine; throws ProtocolError when it is not one of these. */
export const decodeEngineToDriver: (raw: unknown) => EngineToDriver = engineToDriver.decode;

/** The engine's end of its connection. */
export const ENGINE_SIDE = side(driverToEngine, engineToDriver);
/** The driver's end of an engine's connection. */
export const DRIVER_ENGINE_SIDE = side(engineToDriver, driverToEngine);

/** The `task` message. */
export type TaskMessage = Extract<DriverToEngine, { t: "task" }>;
/** The `pe` message. */
export type PerEngineMessage = Extract<DriverToEngine, { t: "pe" }>;

/**
 * The timeout a task travels with: its own (`#DISBATCH TIMEOUT`, Infinity for "none"), else
 * the run's (`--timeout`, null for none). Undefined, the field left out, means none.
 */
export function taskTimeout(own: number | undefined, run: number | null): number | undefined {
  const t = own ?? run;
  return t !== null && t > 0 && Number.isFinite(t) ? t : undefined;
}

/** The run's `--capture` and `--capture-max`: whether tasks are captured, and how much. */
export interface CaptureSettings {
  capture: boolean;
  maxBytes: number;
}

/**
 * The `task` message for one task (`runTimeout`: the run's `--timeout`, null for none). A
 * captured task carries `capture`: how many bytes of each stream to keep.
 */
export function taskMessage(
  task: Pick<
    NormalItem,
    "taskId" | "line" | "repeat" | "command" | "timeout" | "capture" | "resources"
  >,
  runTimeout: number | null,
  run: CaptureSettings = { capture: false, maxBytes: 0 },
): TaskMessage {
  const timeout = taskTimeout(task.timeout, runTimeout);
  const capture = task.capture ?? run.capture;
  return {
    t: "task",
    id: task.taskId,
    line: task.line,
    rep: task.repeat,
    ...(timeout === undefined ? {} : { timeout }),
    ...(task.resources === undefined ? {} : { res: task.resources }),
    ...(capture ? { capture: run.maxBytes } : {}),
    ...toWire(task.command),
  };
}

/** The `pe` message for one per-engine task. */
export function perEngineMessage(
  task: { kind: "START" | "STOP"; index: number; line: number; command: Uint8Array },
): PerEngineMessage {
  return { t: "pe", which: task.kind, index: task.index, line: task.line, ...toWire(task.command) };
}
