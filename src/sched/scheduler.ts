/**
 * Pure scheduling state of a run: engines and their capacity, tasks waiting for a slot, tasks
 * in flight. No I/O and no timers: the driver feeds events in and sends what comes out. The
 * clock is injected so tests control time.
 *
 * An engine may hold more tasks than it has cylinders ("prefetch") so that a cylinder starts its
 * next task the moment one ends, without a round trip to the driver. Prefetch is switched on by
 * the driver only while tasks are short; an idle cylinder anywhere is always served before any
 * engine's prefetch room, so a late joiner gets work at once.
 * @module
 */
import type { NormalItem } from "../taskfile/task_item.ts";
import type { EngineIdentity, EngineStatus } from "../protocol/messages.ts";
import { Fifo } from "./fifo.ts";

export type { EngineStatus };

/** What the driver knows about one engine. */
export interface EngineState extends EngineIdentity {
  /** Ids of the tasks assigned to this engine (queued there or running). */
  tasks: Set<number>;
  assigned: number;
  finished: number;
  failed: number;
  /** Clock value when the engine was last heard from. */
  lastHeard: number;
  /** Clock value of registration. */
  since: number;
}

/** A task handed to an engine. */
export interface Assignment {
  item: NormalItem;
  engine: number;
  assignedAt: number;
  /** 1 for the first run of this task, 2 after one reissue, ... */
  attempt: number;
}

/** Scheduling state (see module doc). */
export class Scheduler {
  readonly #now: () => number;
  readonly engines = new Map<number, EngineState>();
  /** Engines that take work, in round-robin order. */
  #order: EngineState[] = [];
  #next = 0;
  readonly #pending = new Fifo<{ item: NormalItem; attempt: number }>();
  readonly #inflight = new Map<number, Assignment>();
  readonly #contextAssigned = new Map<number, number>();
  #prefetch = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Tasks assigned to some engine. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Room for more tasks on engines that take work (cylinders plus prefetch). */
  get freeSlots(): number {
    let n = 0;
    for (const e of this.#order) n += Math.max(0, this.#capacity(e) - e.tasks.size);
    return n;
  }

  /** Engines that are neither stopped nor lost. */
  get liveEngines(): number {
    let n = 0;
    for (const e of this.engines.values()) if (e.status !== "stopped" && e.status !== "lost") n++;
    return n;
  }

  /** Extra tasks each engine may hold per cylinder (0 or more). */
  setPrefetch(perCylinder: number): void {
    this.#prefetch = perCylinder;
  }

  #capacity(e: EngineState): number {
    return e.cylinders * (1 + this.#prefetch);
  }

  /** Registers an engine; it takes work after {@link engineReady}. */
  addEngine(e: Omit<EngineIdentity, "status">): EngineState {
    const t = this.#now();
    const state: EngineState = {
      ...e,
      status: "starting",
      tasks: new Set(),
      assigned: 0,
      finished: 0,
      failed: 0,
      lastHeard: t,
      since: t,
    };
    this.engines.set(e.rank, state);
    return state;
  }

  /** The engine finished its START tasks: it takes work. */
  engineReady(rank: number): void {
    const e = this.engines.get(rank);
    if (!e || e.status !== "starting") return;
    e.status = "running";
    this.#order.push(e);
  }

  /** Something arrived from the engine. */
  heard(rank: number): void {
    const e = this.engines.get(rank);
    if (e) e.lastHeard = this.#now();
  }

  /** Queues a task for the next free slot (`front`: ahead of everything, for reissues). */
  enqueue(item: NormalItem, attempt = 1, front = false): void {
    if (front) this.#pending.unshift({ item, attempt });
    else this.#pending.push({ item, attempt });
  }

  /** Round-robin choice: an engine with an idle cylinder first, else one with prefetch room. */
  #pick(): EngineState | undefined {
    return this.#pickBelow(1) ??
      (this.#prefetch > 0 ? this.#pickBelow(1 + this.#prefetch) : undefined);
  }

  /** The next engine, round robin, holding fewer than `perCylinder` tasks per cylinder. */
  #pickBelow(perCylinder: number): EngineState | undefined {
    const n = this.#order.length;
    for (let k = 0; k < n; k++) {
      const e = this.#order[(this.#next + k) % n];
      if (e.tasks.size < e.cylinders * perCylinder) {
        this.#next = (this.#next + k + 1) % n;
        return e;
      }
    }
    return undefined;
  }

  /**
   * Pairs waiting tasks with engines. `limitOf(contextRank)` is the context's `-C` limit
   * (0 = none); contexts that reach it are returned (their engines are drained here).
   */
  assign(limitOf: (contextRank: number) => number): {
    assignments: Assignment[];
    limitReached: number[];
  } {
    const assignments: Assignment[] = [];
    const limitReached: number[] = [];
    while (this.#pending.length > 0) {
      const e = this.#pick();
      if (!e) break;
      const { item, attempt } = this.#pending.shift()!;
      const a: Assignment = { item, engine: e.rank, assignedAt: this.#now(), attempt };
      e.tasks.add(item.taskId);
      e.assigned++;
      this.#inflight.set(item.taskId, a);
      assignments.push(a);
      const n = (this.#contextAssigned.get(e.contextRank) ?? 0) + 1;
      this.#contextAssigned.set(e.contextRank, n);
      const limit = limitOf(e.contextRank);
      if (limit > 0 && n === limit) {
        limitReached.push(e.contextRank);
        for (const other of this.engines.values()) {
          if (other.contextRank === e.contextRank) this.drain(other.rank);
        }
      }
    }
    return { assignments, limitReached };
  }

  /** A task finished; returns its assignment (undefined if it is not in flight there). */
  complete(engine: number, taskId: number, failed: boolean): Assignment | undefined {
    const a = this.#inflight.get(taskId);
    if (!a || a.engine !== engine) return undefined;
    this.#inflight.delete(taskId);
    const e = this.engines.get(engine)!;
    e.tasks.delete(taskId);
    e.finished++;
    if (failed) e.failed++;
    return a;
  }

  /** The engine gave back tasks it had not started; returns their assignments. */
  unassign(engine: number, taskIds: number[]): Assignment[] {
    const e = this.engines.get(engine);
    const back: Assignment[] = [];
    for (const id of taskIds) {
      const a = this.#inflight.get(id);
      if (!e || !a || a.engine !== engine) continue;
      this.#inflight.delete(id);
      e.tasks.delete(id);
      back.push(a);
    }
    return back;
  }

  /** The engine takes no new work (soft shutdown, `-C`, end of input). */
  drain(rank: number): void {
    const e = this.engines.get(rank);
    if (!e || e.status === "stopped" || e.status === "lost" || e.status === "draining") return;
    this.#leave(e, "draining");
  }

  /** The engine said it stopped. */
  stopped(rank: number): void {
    const e = this.engines.get(rank);
    if (!e || e.status === "lost") return;
    this.#leave(e, "stopped");
  }

  /** The engine is gone without stopping; returns the tasks it held. */
  lose(rank: number): Assignment[] {
    const e = this.engines.get(rank);
    if (!e || e.status === "stopped" || e.status === "lost") return [];
    this.#leave(e, "lost");
    const lost: Assignment[] = [];
    for (const id of e.tasks) {
      const a = this.#inflight.get(id);
      if (a) {
        this.#inflight.delete(id);
        lost.push(a);
      }
    }
    e.tasks.clear();
    return lost.sort((x, y) => x.item.taskId - y.item.taskId);
  }

  #leave(e: EngineState, status: EngineStatus): void {
    if (e.status === "running") {
      const i = this.#order.indexOf(e);
      this.#order.splice(i, 1);
      if (this.#next > i) this.#next--;
      if (this.#next >= this.#order.length) this.#next = 0;
    }
    e.status = status;
  }

  /** Engines that take work and hold no task. */
  idleEngines(): EngineState[] {
    return this.#order.filter((e) => e.tasks.size === 0);
  }
}
