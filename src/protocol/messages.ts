/**
 * Messages exchanged between the driver, contexts, engines and clients. Every connection
 * starts with the server's `hello` (protocol version + nonce), answered by the client's `hello`
 * (version, role, HMAC of the nonce under the run secret); either side ends with `bye`.
 * Commands travel as `cmd` (UTF-8 text) or `cmd64` (base64) when they are not valid UTF-8.
 * @module
 */

import type { HeartbeatSettings } from "./heartbeat.ts";

/** Bumped on any incompatible change; peers with another version are refused. */
export const PROTOCOL_VERSION = 1;

/** Who is connecting. */
export type Role = "context" | "engine" | "monitor" | "client";

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

// ---- context -> driver
export interface CtxRegister {
  t: "ctx_register";
  label: string;
  sysid: "SSH" | "Slurm";
  host: string;
  pid: number;
  nodes: string[];
  /** `-C`: the driver drains the context after assigning this many tasks to it (0: no limit). */
  taskLimit?: number;
}
export interface EngineExit {
  t: "engine_exit";
  node: string;
  code: number;
}

// ---- driver -> context
export interface CtxAccept {
  t: "ctx_accept";
  rank: number;
  run: RunInfo;
}
export interface RunDone {
  t: "run_done";
}
/** Soft shutdown: the context's engines (or one of them) finish running tasks and take no new ones. */
export interface StopRequest {
  t: "stop";
  engineRank?: number;
}

// ---- engine -> driver
export interface EngRegister {
  t: "eng_register";
  contextRank: number;
  node: string;
  host: string;
  pid: number;
  cylinders: number;
  coresPerCylinder: number;
}
export interface EngReady {
  t: "ready";
}
export interface TaskResult extends TaskOutcome {
  t: "result";
  /** "N" for normal tasks, "START"/"STOP" for per-engine tasks. */
  kind: "N" | "START" | "STOP";
  /** Task id (per-engine: ordinal). */
  id: number;
  cyl: number;
}
export interface EngStopped {
  t: "stopped";
}

// ---- driver -> engine
export interface EngAccept {
  t: "eng_accept";
  rank: number;
  run: RunInfo;
}
export interface PerEngineTask extends WireCommand {
  t: "pe";
  which: "START" | "STOP";
  index: number;
  line: number;
}
export interface PerEngineEnd {
  t: "pe_end";
}
export interface TaskAssign extends WireCommand {
  t: "task";
  id: number;
  line: number;
  rep: number;
  cyl: number;
}
/** No more normal work: finish running tasks, run STOP tasks, report `stopped`. */
export interface Drain {
  t: "drain";
}
/** Terminate running tasks now (fail-fast, signals); no STOP tasks. */
export interface KillAll {
  t: "kill";
}

// ---- both ways
export interface Bye {
  t: "bye";
  reason?: string;
}
export interface Ping {
  t: "ping";
}
export interface Pong {
  t: "pong";
}

/** Everything that can arrive on a connection after the handshake. */
export type Message =
  | CtxRegister
  | EngineExit
  | CtxAccept
  | RunDone
  | StopRequest
  | EngRegister
  | EngReady
  | TaskResult
  | EngStopped
  | EngAccept
  | PerEngineTask
  | PerEngineEnd
  | TaskAssign
  | Drain
  | KillAll
  | Bye
  | Ping
  | Pong;

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

/** One engine in a {@link RunState}. */
export interface EngineView extends EngineIdentity {
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

/** One context in a {@link RunState}. */
export interface ContextView {
  rank: number;
  label: string;
  host: string;
  nodes: string[];
  connected: boolean;
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
  engines: EngineView[];
  contexts: ContextView[];
  recentFailures: FailureView[];
  /** Ids of tasks that failed (final attempts), first 1000. */
  failedIds: number[];
}
