/**
 * The facts the stop rules of a run look at, read live from its intake, scheduler and peers.
 * @module
 */
import type { Scheduler } from "../sched/scheduler.ts";
import type { Intake } from "./intake.ts";
import type { PeerRegistry } from "./peer_registry.ts";
import type { WorkFacts } from "./stop_rules.ts";

/**
 * The facts the end rules look at, read live: made once, as the rules run after every event,
 * and the live engines are counted (a look at every engine) only when the rules ask.
 */
export class LiveFacts implements WorkFacts {
  readonly #intake: Intake;
  readonly #sched: Scheduler;
  readonly #peers: PeerRegistry<unknown>;
  readonly startupOnly: boolean;
  contextExited = false;

  constructor(
    intake: Intake,
    sched: Scheduler,
    peers: PeerRegistry<unknown>,
    startupOnly: boolean,
  ) {
    this.#intake = intake;
    this.#sched = sched;
    this.#peers = peers;
    this.startupOnly = startupOnly;
  }

  get eof(): boolean {
    return this.#intake.eof;
  }
  get barrier(): boolean {
    return this.#intake.barrier;
  }
  get contextLaunched(): boolean {
    return this.#intake.contextLaunched;
  }
  get pending(): number {
    return this.#sched.pendingCount;
  }
  get inflight(): number {
    return this.#sched.inflightCount;
  }
  get liveEngines(): number {
    return this.#sched.liveEngines;
  }
  get contexts(): number {
    return this.#peers.contexts.size;
  }
}
