/**
 * When and how a run stops, as one explicit state instead of flags: running, then draining
 * (nothing new starts, running tasks finish) or killing (running tasks are killed and engines
 * that do not answer are abandoned after a deadline), then done. The first reason to stop wins;
 * a lost status line and a signal may still turn a drain into a kill. Pure: the driver carries
 * out the returned actions.
 * @module
 */
import type { RunOutcome, StopReason } from "./run_outcome.ts";
import type { StopSignal } from "./stop_signals.ts";

/** Where a run is. */
export type RunPhase =
  | { kind: "running" }
  | { kind: "draining"; reason: StopReason }
  | { kind: "killing"; reason: StopReason }
  | { kind: "done" };

/**
 * What the driver must do: release every engine (`drain_all`), kill every engine's tasks
 * (`kill_all`), start the deadline after which engines that have not stopped are abandoned
 * (`arm_abandon`), or end the run at once (`end_now`).
 */
export type StopAction = "drain_all" | "kill_all" | "arm_abandon" | "end_now";

/** How long killed engines get to report before the run ends without them. */
export const ABANDON_AFTER_MS = 10_000;

/** Stops that kill running tasks; the others let them finish. */
const KILLING: ReadonlySet<StopReason> = new Set<StopReason>([
  "fail_fast",
  "signal",
  "status_write",
  "internal_error",
]);

/** What the end rules look at (see {@link endDecision}). */
export interface WorkFacts {
  /** The task source has ended. */
  eof: boolean;
  /** A barrier waits for the tasks before it. */
  barrier: boolean;
  /** Tasks read and waiting for a slot. */
  pending: number;
  /** Tasks held by engines. */
  inflight: number;
  /** Engines neither stopped nor lost (read only when the other facts leave it open). */
  liveEngines: number;
  /** Some context was (or will be) started for the run's tasks. */
  contextLaunched: boolean;
  /** `-S`: contexts come from outside; the run waits for them. */
  startupOnly: boolean;
  /** The auto-launched context has exited. */
  contextExited: boolean;
  /** Contexts connected now. */
  contexts: number;
}

/**
 * What the driver does about the end of the run: `end` it, `learn_eof` (read the source once
 * more: if it has ended there is nothing left to do), stop it as `starved` (nothing can run the
 * remaining work), or `continue`.
 */
export type EndDecision = "end" | "learn_eof" | "starved" | "continue";

/** Every task has been read and run. */
export function allDone(f: WorkFacts): boolean {
  return f.eof && !f.barrier && f.pending === 0 && f.inflight === 0;
}

/** Nothing more will be handed out: idle engines may be released. */
export function noMoreWork(
  stopping: boolean,
  f: Pick<WorkFacts, "eof" | "barrier" | "pending">,
): boolean {
  return stopping || (f.eof && !f.barrier && f.pending === 0);
}

/** The end rule (see {@link EndDecision}). */
export function endDecision(stopping: boolean, f: WorkFacts): EndDecision {
  const done = allDone(f);
  if ((done || stopping) && f.liveEngines === 0) return "end";
  // Nothing can run the remaining work: every context is gone and no engine is alive.
  if (
    !stopping && f.contextLaunched && !f.startupOnly && f.contextExited && f.contexts === 0 &&
    f.liveEngines === 0 && !done
  ) {
    // Unless the only thing left is learning that the input has ended: find out first.
    return !f.eof && !f.barrier && f.pending === 0 ? "learn_eof" : "starved";
  }
  return "continue";
}

/** The stop state of one run (see module doc). */
export class StopRules {
  #phase: RunPhase = { kind: "running" };
  #stoppedBy: StopReason | null = null;
  #signal: StopSignal | undefined;
  #error: Error | undefined;
  #contextCode: number | undefined;
  #unrun = 0;

  /** The current phase. */
  get phase(): RunPhase {
    return this.#phase;
  }

  /** Why the run stops, or null while it runs. */
  get stoppedBy(): StopReason | null {
    return this.#stoppedBy;
  }

  /** True once any stop has begun (nothing new is read or started). */
  get stopping(): boolean {
    return this.#phase.kind !== "running";
  }

  /** True once the run has ended. */
  get finished(): boolean {
    return this.#phase.kind === "done";
  }

  /** The auto-launched context exited with `code`. */
  contextExited(code: number): void {
    if (code !== 0) this.#contextCode = code;
  }

  /** The reason for a run that nothing can finish: its context failed, or it starved. */
  starvedReason(): StopReason {
    const code = this.#contextCode;
    return code !== undefined && code !== 0 ? "context_failed" : "starved";
  }

  /** Begins a stop; only the first one counts (later calls return no action). */
  stop(reason: StopReason, error?: Error): StopAction[] {
    if (this.#phase.kind !== "running") return [];
    this.#stoppedBy = reason;
    if (error) this.#error = error;
    if (KILLING.has(reason)) {
      this.#phase = { kind: "killing", reason };
      return ["kill_all", "arm_abandon"];
    }
    this.#phase = { kind: "draining", reason };
    return ["drain_all"];
  }

  /**
   * A status line could not be written. While already stopping, the lost record becomes what
   * the run reports, and running tasks are killed.
   */
  statusWriteFailed(error: Error): StopAction[] {
    if (this.#phase.kind === "running") return this.stop("status_write", error);
    if (this.#phase.kind === "done") return [];
    this.#stoppedBy = "status_write";
    this.#error = error;
    return this.#escalate("status_write");
  }

  /**
   * The job's end is near: running tasks are killed (a drain, for whatever reason, becomes a
   * kill). The reason stays the first one; a run that was running stops as `walltime`.
   */
  wallReached(): StopAction[] {
    if (this.#phase.kind === "running") {
      this.#stoppedBy = "walltime";
      this.#phase = { kind: "killing", reason: "walltime" };
      return ["kill_all", "arm_abandon"];
    }
    if (this.#phase.kind !== "draining") return [];
    return this.#escalate(this.#stoppedBy!);
  }

  /** A stop signal arrived: the first stops the run (killing its tasks), a second ends it now. */
  signal(sig: StopSignal): StopAction[] {
    if (this.#signal !== undefined) return ["end_now"];
    this.#signal = sig;
    if (this.#phase.kind === "running") return this.stop("signal");
    if (this.#phase.kind === "done") return [];
    // Already stopping for another reason: make it a kill (a lost status line stays the news).
    if (this.#stoppedBy !== "status_write") this.#stoppedBy = "signal";
    return this.#escalate(this.#stoppedBy!);
  }

  #escalate(reason: StopReason): StopAction[] {
    const arm = this.#phase.kind === "draining";
    this.#phase = { kind: "killing", reason };
    return arm ? ["kill_all", "arm_abandon"] : ["kill_all"];
  }

  /** Ends the run with `unrun` tasks never run; false when it had ended already. */
  end(unrun: number): boolean {
    if (this.#phase.kind === "done") return false;
    this.#phase = { kind: "done" };
    this.#unrun = unrun;
    return true;
  }

  /** The outcome so far, with the counts kept elsewhere. */
  outcome(
    counts: { failures: number; normalTasks: number },
    wall?: { resumable: boolean; wallStopped: number },
  ): RunOutcome {
    const o: RunOutcome = { ...counts, stoppedBy: this.#stoppedBy, unrun: this.#unrun };
    if (wall?.wallStopped) o.wallStopped = wall.wallStopped;
    if (wall?.resumable && this.#stoppedBy === "walltime") o.resumable = true;
    if (this.#signal !== undefined) o.signal = this.#signal;
    if (this.#contextCode !== undefined) o.contextCode = this.#contextCode;
    if (this.#error !== undefined) o.error = this.#error;
    return o;
  }
}
