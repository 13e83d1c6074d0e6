/**
 * What travels inside the wire messages: the run facts, task outcomes and results, and the
 * state snapshot, each as a documented interface with the shape that checks it on arrival
 * (`ShapeOf<T>` makes the compiler hold the two together). The messages themselves, one union
 * per direction, are in handshake_messages.ts, engine_messages.ts, context_messages.ts and
 * client_messages.ts; docs/protocol.md describes them for other languages.
 * @module
 */

import type { HeartbeatSettings } from "./heartbeat.ts";
import {
  arrayOf,
  boolean,
  int,
  nullable,
  number,
  object,
  oneOf,
  optional,
  type ShapeOf,
  string,
} from "./wire_schema.ts";

/** Bumped on any incompatible change; peers with another version are refused. */
export const PROTOCOL_VERSION = 1;

/** The roles a peer may announce in its `hello`. */
export const ROLES = ["context", "engine", "monitor", "client"] as const;

/** Who is connecting. */
export type Role = typeof ROLES[number];

/** Run-wide facts an engine or context needs (sent on acceptance). */
export interface RunInfo {
  /** Basename of the output prefix P (`DISBATCH_JOBID`). */
  jobId: string;
  /** `DISBATCH_NAMETASKS`. */
  nameTasks: string;
  /** Absolute output prefix P. */
  prefix: string;
  /** The driver's working directory: tasks run there. */
  cwd: string;
  /** Address tasks see as `DISBATCH_KVSSTCP_HOST`. */
  address: string;
  /** Values of the original invocation that contexts inherit when not given (spec §8.1). */
  defaults: { cpusPerTask: number; tasksPerNode: number; envResource: string[] };
  /**
   * The driver's heartbeat: engines use it, whatever their own environment says (ssh does not
   * carry `DISBATCH_HEARTBEAT`), so both sides agree on when the other is lost.
   */
  heartbeat: HeartbeatSettings;
}

/** Outcome of one task execution, as measured by the engine. */
export interface TaskOutcome {
  pid: number;
  rc: number;
  start: number;
  finish: number;
  outBytes: number;
  outSnippet: string;
  errBytes: number;
  errSnippet: string;
}

/** A command in transit. */
export interface WireCommand {
  cmd?: string;
  cmd64?: string;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Encodes command bytes for the wire. */
export function toWire(command: Uint8Array): WireCommand {
  try {
    return { cmd: strictUtf8.decode(command) };
  } catch {
    return { cmd64: command.toBase64() };
  }
}

/** Decodes command bytes from the wire. */
export function fromWire(w: WireCommand): Uint8Array {
  if (typeof w.cmd64 === "string") return Uint8Array.fromBase64(w.cmd64);
  return encoder.encode(w.cmd ?? "");
}

/** Lifecycle of an engine as the driver sees it. */
export type EngineStatus = "starting" | "running" | "draining" | "stopped" | "lost";

/** What identifies an engine and its size, as the driver and monitors see it. */
export interface EngineIdentity {
  rank: number;
  contextRank: number;
  node: string;
  host: string;
  pid: number;
  cylinders: number;
  status: EngineStatus;
}

/**
 * An engine's cores, GPUs and memory, what its tasks hold of them, and its tasks with
 * `#DISBATCH RESOURCES` (in a {@link RunState} once the run has such a task).
 */
export interface EngineResourceView {
  cores: number;
  usedCores: number;
  gpus: number;
  usedGpus: number;
  memMiB: number;
  usedMemMiB: number;
  sized: SizedTaskView[];
}

/** One engine in a {@link RunState}. */
export interface EngineView extends EngineIdentity, Partial<EngineResourceView> {
  /** Task ids assigned to the engine, in the order it starts them: running ones, then queued. */
  tasks: number[];
  /** How many of `tasks` are running (at most `cylinders`). */
  running: number;
  /** How many of `tasks` are queued on the engine, waiting for a cylinder (see engine_load.ts). */
  queued: number;
  assigned: number;
  finished: number;
  failed: number;
  /** Seconds since the engine was last heard from. */
  silentFor: number;
  /** Epoch seconds of registration. */
  since: number;
}

/** A task with `#DISBATCH RESOURCES` on an engine, in a {@link RunState}. */
export interface SizedTaskView {
  id: number;
  cores: number;
  gpus: number;
  memMiB: number;
}

/** One context in a {@link RunState}. */
export interface ContextView {
  rank: number;
  label: string;
  host: string;
  /** Its nodes, the first 64 (src/driver/engine_summary.ts). */
  nodes: string[];
  /** How many nodes it has. */
  nodeCount: number;
  /** Its engines that are starting, running or draining. */
  engines: number;
  connected: boolean;
}

/** Counts over every engine of a run (a {@link RunState} lists only some engines). */
export interface EngineTotals {
  /** Every engine the run has had. */
  engines: number;
  starting: number;
  running: number;
  draining: number;
  stopped: number;
  lost: number;
  /** Cylinders of the engines that are starting, running or draining. */
  cylinders: number;
}

/** A recent failure, for monitors. */
export interface FailureView {
  taskId: number;
  line: number;
  rc: number;
  host: string;
  command: string;
  finish: number;
}

/** Snapshot of a run, sent to monitors (`state`) and recorded in `P_dbUtil.sh` at the end. */
export interface RunState {
  prefix: string;
  jobId: string;
  driverHost: string;
  driverPid: number;
  /** Epoch seconds. */
  started: number;
  now: number;
  /** Total task ids (tasks and barriers) when known in advance (regular files), else null. */
  total: number | null;
  /** The task source is exhausted. */
  eof: boolean;
  /** Normal tasks finished (run or skipped), failed (non-zero, final attempts), skipped by resume. */
  done: number;
  failed: number;
  skipped: number;
  /** Tasks running on engines (never more than their cylinders). */
  running: number;
  /** Tasks handed to an engine ahead of time, queued there for a cylinder (short tasks). */
  queued: number;
  /** Tasks read and waiting for a slot (not handed to any engine yet). */
  waiting: number;
  barriers: number;
  /** Completions per second over the last ~10 s. */
  rate: number;
  /** Seconds to the end at the current rate, when the total is known. */
  eta: number | null;
  stoppedBy: string | null;
  finished: boolean;
  exitCode: number | null;
  /**
   * Some of the engines: at most 100, live ones first (src/driver/engine_summary.ts), each with
   * at most 64 task ids; `engineTotals` counts them all.
   */
  engines: EngineView[];
  engineTotals: EngineTotals;
  contexts: ContextView[];
  recentFailures: FailureView[];
  /** Ids of tasks that failed (final attempts), first 1000. */
  failedIds: number[];
}

/**
 * The final record of one task, as the driver reports it to the client that submitted it (the
 * keys and meaning of one status file line, as in the original's programmatic interface).
 */
export interface TaskResult {
  /** Status-file flags: `R` non-zero exit, `O` stdout, `E` stderr (4 characters). */
  Flags: string;
  TaskId: number;
  /** Submission number (the "line number" of the stream), from 1. */
  TaskStreamIndex: number;
  /** `DISBATCH_REPEAT_INDEX`, or -1 outside a REPEAT. */
  TaskRepIndex: number;
  Host: string;
  /** -1 when the task never ran (its engine was lost). */
  PID: number;
  /** Exit code; -N when killed by signal N. */
  ReturnCode: number;
  /** Seconds. */
  Elapsed: number;
  /** Epoch seconds. */
  Start: number;
  End: number;
  OutBytes: number;
  /** Head and tail of stdout (the status file's snippet, as text). */
  OutData: string;
  ErrBytes: number;
  ErrData: string;
  /** The command as run (prefix and suffix applied). */
  TaskCmd: string;
}

/** The task ids one submitted line took: `[first, next)`, and its stream line number. */
export interface IdRange {
  first: number;
  next: number;
  line: number;
}

// ---- shapes: how each of the above is checked when it arrives

const heartbeatShape: ShapeOf<HeartbeatSettings> = { intervalMs: number, timeoutMs: number };

/** Checks a {@link RunInfo}. */
export const runInfoShape: ShapeOf<RunInfo> = {
  jobId: string,
  nameTasks: string,
  prefix: string,
  cwd: string,
  address: string,
  defaults: object({ cpusPerTask: number, tasksPerNode: number, envResource: arrayOf(string) }),
  heartbeat: object(heartbeatShape),
};

/** Checks a {@link TaskOutcome}. */
export const taskOutcomeShape: ShapeOf<TaskOutcome> = {
  pid: int,
  rc: int,
  start: number,
  finish: number,
  outBytes: int,
  outSnippet: string,
  errBytes: int,
  errSnippet: string,
};

/** Checks a {@link TaskResult}. */
export const taskResultShape: ShapeOf<TaskResult> = {
  Flags: string,
  TaskId: int,
  TaskStreamIndex: int,
  TaskRepIndex: int,
  Host: string,
  PID: int,
  ReturnCode: int,
  Elapsed: number,
  Start: number,
  End: number,
  OutBytes: int,
  OutData: string,
  ErrBytes: int,
  ErrData: string,
  TaskCmd: string,
};

/** Checks an {@link IdRange}. */
export const idRangeShape: ShapeOf<IdRange> = { first: int, next: int, line: int };

const engineViewShape: ShapeOf<EngineView> = {
  rank: int,
  contextRank: int,
  node: string,
  host: string,
  pid: int,
  cylinders: int,
  status: oneOf("starting", "running", "draining", "stopped", "lost"),
  tasks: arrayOf(int),
  running: int,
  queued: int,
  assigned: int,
  finished: int,
  failed: int,
  silentFor: number,
  since: number,
  cores: optional(int),
  usedCores: optional(int),
  gpus: optional(int),
  usedGpus: optional(int),
  memMiB: optional(int),
  usedMemMiB: optional(int),
  sized: optional(arrayOf(object({ id: int, cores: int, gpus: int, memMiB: int }))),
};

const contextViewShape: ShapeOf<ContextView> = {
  rank: int,
  label: string,
  host: string,
  nodes: arrayOf(string),
  nodeCount: int,
  engines: int,
  connected: boolean,
};

const engineTotalsShape: ShapeOf<EngineTotals> = {
  engines: int,
  starting: int,
  running: int,
  draining: int,
  stopped: int,
  lost: int,
  cylinders: int,
};

const failureViewShape: ShapeOf<FailureView> = {
  taskId: int,
  line: int,
  rc: int,
  host: string,
  command: string,
  finish: number,
};

/** Checks a {@link RunState}. */
export const runStateShape: ShapeOf<RunState> = {
  prefix: string,
  jobId: string,
  driverHost: string,
  driverPid: int,
  started: number,
  now: number,
  total: nullable(int),
  eof: boolean,
  done: int,
  failed: int,
  skipped: int,
  running: int,
  queued: int,
  waiting: int,
  barriers: int,
  rate: number,
  eta: nullable(number),
  stoppedBy: nullable(string),
  finished: boolean,
  exitCode: nullable(int),
  engines: arrayOf(object(engineViewShape)),
  engineTotals: object(engineTotalsShape),
  contexts: arrayOf(object(contextViewShape)),
  recentFailures: arrayOf(object(failureViewShape)),
  failedIds: arrayOf(int),
};

/** The fields of `bye`, which every direction has. */
export const byeShape = { reason: optional(string) };

/** The fields of a message that carries a command: `cmd` (text) or `cmd64` (base64 bytes). */
export const commandShape: ShapeOf<WireCommand> = {
  cmd: optional(string),
  cmd64: optional(string),
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The check {@link commandShape} cannot express: exactly one of the two, `cmd64` valid base64. */
export function commandProblem(m: WireCommand): string | null {
  if ((m.cmd === undefined) === (m.cmd64 === undefined)) {
    return "needs exactly one of the fields cmd and cmd64";
  }
  if (m.cmd64 !== undefined && !BASE64.test(m.cmd64)) return "field cmd64 is not base64";
  return null;
}
