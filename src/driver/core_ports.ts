/**
 * What the run's core (run_core.ts) exchanges with the world: the events it takes in, in its
 * own small types rather than wire messages, and the calls it makes out, each of which the
 * driver carries out with one message, one status line or one timer.
 * @module
 */
import type { TaskRecord } from "../status/task_record.ts";
import type { NormalItem, PerEngineItem } from "../taskfile/task_item.ts";
import type { DriverReporter } from "./driver_config.ts";
import type { ContextPeer, EnginePeer } from "./peer_registry.ts";
import type { TaskResult } from "./result_policy.ts";
import type { Capacity } from "../sched/resource_placer.ts";

/** What the core needs of the world; the driver implements each call with one message or write. */
export interface CorePorts<C> {
  /** The clock, in seconds. */
  now(): number;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  report: DriverReporter;
  /**
   * Appends a status line; returns the error when it could not be written. (The driver queues
   * the lines of one turn of its event loop and writes them together: the error of that write
   * comes through {@link RunCore.statusWriteFailed}.)
   */
  write(r: TaskRecord): Error | null;
  /**
   * Appends the S line of a skipped task, made of `line` (ResumeLine.skipLine). It may be held
   * for a moment, to go out with the next ones in one write; returns the error of a write that
   * failed.
   */
  writeSkipLine(line: Uint8Array): Error | null;
  /** Writes the lines {@link writeSkipLine} holds; returns the error when they could not be. */
  flush(): Error | null;
  /** Reads the next item: answered later with {@link RunCore.itemRead} or `sourceFailed`. */
  pull(): void;
  /** The command of an item read to hold on to (ItemSource.keep); absent: it is kept as is. */
  keepCommand?(command: Uint8Array): Uint8Array;
  /** Starts the run's context (the first task that must run has been read; not with `-S`). */
  launchContext(): void;
  /** The path of the run's helper script. */
  scriptPath(): string;
  task(p: EnginePeer<C>, item: NormalItem, timeout: number | null): void;
  drain(p: EnginePeer<C>): void;
  kill(p: EnginePeer<C>): void;
  perEngine(p: EnginePeer<C>, item: PerEngineItem): void;
  perEngineEnd(p: EnginePeer<C>): void;
  /** Tells the context of a lost engine to end it (it may be hung, not dead). */
  engineLost(c: ContextPeer<C>, node: string, pid: number): void;
  /** Sends a task's final record to the client that submitted it, if any (built only then). */
  deliver(taskId: number, record: () => TaskRecord): void;
  /** Starts the deadline after which engines that have not stopped are abandoned. */
  armAbandon(): void;
  /** The run is over: the driver shuts down. */
  ended(): void;
}

/** What an engine says of itself when it registers. */
export interface EngineRegistration {
  contextRank: number;
  node: string;
  host: string;
  pid: number;
  cylinders: number;
  /** Cores, GPUs and memory (see sized_tasks.ts); absent: one core per cylinder, nothing else. */
  capacity?: Capacity;
}

/** A task's (or per-engine command's) result as its engine reported it. */
export interface ResultEvent extends TaskResult {
  id: number;
  /** `START` / `STOP` for a per-engine command, else a normal task. */
  kind?: unknown;
}

/** The driver's own process: barrier lines record its host and pid. */
export interface DriverProcess {
  host: string;
  pid: number;
  /** Whether an engine's host is the driver's (names compared as disBatch does). */
  onDriverHost(host: string): boolean;
}
