/**
 * Pure scheduling state of a run: engines and their cylinders, tasks waiting for a slot, tasks
 * in flight. No I/O and no timers: the driver feeds events in and sends what comes out. The
 * clock is injected so tests control time.
 * @module
 */
import type { NormalItem } from "../taskfile/task_item.ts";
import { Fifo } from "./fifo.ts";

/** Lifecycle of an engine as the driver sees it. */
export type EngineStatus = "starting" | "running" | "draining" | "stopped" | "lost";

/** What the driver knows about one engine. */
export interface EngineState {
  rank: number;
  contextRank: number;
  node: string;
  host: string;
  pid: number;
  cylinders: number;
  status: EngineStatus;
  /** Cylinder -> task id, for tasks running there. */
  running: Map<number, number>;
  assigned: number;
  finished: number;
  failed: number;
  /** Clock value when the engine was last heard from. */
  lastHeard: number;
  /** Clock value of registration. */
  since: number;
}

/** A task handed to a cylinder. */
export interface Assignment {
  item: NormalItem;
  engine: number;
  cyl: number;
  assignedAt: number;
  /** 1 for the first run of this task, 2 after one reissue, ... */
  attempt: number;
}

interface FreeCyl {
  engine: number;
  cyl: number;
}

/** Scheduling state (see module doc). */
export class Scheduler {
  readonly #now: () => number;
  readonly engines = new Map<number, EngineState>();
  readonly #pending = new Fifo<{ item: NormalItem; attempt: number }>();
  readonly #free = new Fifo<FreeCyl>();
  readonly #inflight = new Map<number, Assignment>();
  readonly #contextAssigned = new Map<number, number>();
  #freeCount = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Tasks waiting for a cylinder. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Tasks running on some engine. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Idle cylinders of engines that accept work. */
  get freeSlots(): number {
    return this.#freeCount;
  }

  /** Engines that are neither stopped nor lost. */
  get liveEngines(): number {
    let n = 0;
    for (const e of this.engines.values()) if (e.status !== "stopped" && e.status !== "lost") n++;
    return n;
  }

  /** Registers an engine; its cylinders become usable after {@link engineReady}. */
  addEngine(
    e: Omit<
      EngineState,
      "status" | "running" | "assigned" | "finished" | "failed" | "lastHeard" | "since"
    >,
  ): EngineState {
    const t = this.#now();
    const state: EngineState = {
      ...e,
      status: "starting",
      running: new Map(),
      assigned: 0,
      finished: 0,
      failed: 0,
      lastHeard: t,
      since: t,
    };
    this.engines.set(e.rank, state);
    return state;
  }

  /** The engine finished its START tasks: its cylinders take work. */
  engineReady(rank: number): void {
    const e = this.engines.get(rank);
    if (!e || e.status !== "starting") return;
    e.status = "running";
    for (let c = 0; c < e.cylinders; c++) this.#pushFree(rank, c);
  }

  /** Something arrived from the engine. */
  heard(rank: number): void {
    const e = this.engines.get(rank);
    if (e) e.lastHeard = this.#now();
  }

  /** Queues a task for the next free cylinder (`front`: ahead of everything, for reissues). */
  enqueue(item: NormalItem, attempt = 1, front = false): void {
    if (front) this.#pending.unshift({ item, attempt });
    else this.#pending.push({ item, attempt });
  }

  /**
   * Pairs waiting tasks with free cylinders, longest-idle cylinder first (so every engine,
   * including late joiners, gets work in turn). `limitOf(contextRank)` is the context's `-C`
   * limit (0 = none); contexts that reach it are returned so the driver can stop them.
   */
  assign(limitOf: (contextRank: number) => number): {
    assignments: Assignment[];
    limitReached: number[];
  } {
    const assignments: Assignment[] = [];
    const limitReached: number[] = [];
    while (this.#pending.length > 0) {
      const slot = this.#takeFree();
      if (!slot) break;
      const e = this.engines.get(slot.engine)!;
      const { item, attempt } = this.#pending.shift()!;
      const a: Assignment = {
        item,
        engine: slot.engine,
        cyl: slot.cyl,
        assignedAt: this.#now(),
        attempt,
      };
      e.running.set(slot.cyl, item.taskId);
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

  /** A task finished on a cylinder; returns its assignment (undefined if unknown/stale). */
  complete(engine: number, cyl: number, taskId: number, failed: boolean): Assignment | undefined {
    const a = this.#inflight.get(taskId);
    if (!a || a.engine !== engine || a.cyl !== cyl) return undefined;
    this.#inflight.delete(taskId);
    const e = this.engines.get(engine)!;
    e.running.delete(cyl);
    e.finished++;
    if (failed) e.failed++;
    if (e.status === "running") this.#pushFree(engine, cyl);
    return a;
  }

  /** The engine takes no new work (soft shutdown, `-C`, end of input). */
  drain(rank: number): void {
    const e = this.engines.get(rank);
    if (!e || e.status === "stopped" || e.status === "lost" || e.status === "draining") return;
    if (e.status === "running") this.#freeCount -= e.cylinders - e.running.size;
    e.status = "draining";
  }

  /** The engine said it stopped. */
  stopped(rank: number): void {
    const e = this.engines.get(rank);
    if (!e) return;
    if (e.status === "running") this.#freeCount -= e.cylinders - e.running.size;
    if (e.status !== "lost") e.status = "stopped";
  }

  /** The engine is gone without stopping; returns the tasks it was running. */
  lose(rank: number): Assignment[] {
    const e = this.engines.get(rank);
    if (!e || e.status === "stopped" || e.status === "lost") return [];
    if (e.status === "running") this.#freeCount -= e.cylinders - e.running.size;
    e.status = "lost";
    const lost: Assignment[] = [];
    for (const id of e.running.values()) {
      const a = this.#inflight.get(id);
      if (a) {
        this.#inflight.delete(id);
        lost.push(a);
      }
    }
    e.running.clear();
    return lost.sort((x, y) => x.item.taskId - y.item.taskId);
  }

  /** Idle engines (running, nothing on any cylinder). */
  idleEngines(): EngineState[] {
    const out: EngineState[] = [];
    for (const e of this.engines.values()) {
      if (e.status === "running" && e.running.size === 0) out.push(e);
    }
    return out;
  }

  /** In-flight assignments (for heartbeats and shutdown). */
  inflight(): IterableIterator<Assignment> {
    return this.#inflight.values();
  }

  #pushFree(engine: number, cyl: number): void {
    this.#free.push({ engine, cyl });
    this.#freeCount++;
  }

  #takeFree(): FreeCyl | undefined {
    for (;;) {
      const f = this.#free.shift();
      if (!f) return undefined;
      const e = this.engines.get(f.engine);
      // Entries of engines that stopped taking work are dropped lazily; they were already
      // subtracted from the free count when the engine changed state.
      if (!e || e.status !== "running") continue;
      this.#freeCount--;
      return f;
    }
  }
}
