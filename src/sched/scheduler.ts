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
import type { EngineIdentity, EngineResourceView, EngineStatus } from "../protocol/messages.ts";
import { Fifo } from "./fifo.ts";
import type { Capacity, Demand } from "./resource_placer.ts";
import { SizedQueue } from "./sized_queue.ts";

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
  /** Cores, GPUs and memory, for tasks with `#DISBATCH RESOURCES`. */
  capacity: Capacity;
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
  /** Engines that take work, in round-robin order (for runs with a context task limit). */
  #order: EngineState[] = [];
  #next = 0;
  /**
   * Without `-C`, picking and counting cost the same whatever the number of engines: engines
   * that may have an idle cylinder (or prefetch room) wait in a queue, each at most once, and
   * one that turns out to have none when it is taken is dropped from it; the free slots are a
   * running sum of the room of every engine that takes work.
   */
  readonly #idleQueue = new Fifo<EngineState>();
  readonly #inIdleQueue = new Set<EngineState>();
  readonly #roomQueue = new Fifo<EngineState>();
  readonly #inRoomQueue = new Set<EngineState>();
  #free = 0;
  /** Engines that take work and hold no task. */
  readonly #idle = new Set<EngineState>();
  readonly #pending = new Fifo<{ item: NormalItem; attempt: number }>();
  readonly #inflight = new Map<number, Assignment>();
  /** Tasks each context holds or has run (tasks given back unstarted are not counted). */
  readonly #contextAssigned = new Map<number, number>();
  /** `-C` of each context that has one. */
  readonly #contextLimits = new Map<number, number>();
  /** Contexts whose reaching the limit was already reported. */
  readonly #limitReported = new Set<number>();
  #prefetch = 0;
  /**
   * Set once a task with RESOURCES is queued: from then on every waiting task is placed by
   * cores, GPUs and memory (sized_queue.ts), without prefetch. Null: slots, as always.
   */
  #sized: SizedQueue | null = null;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.#sized ? this.#sized.length : this.#pending.length;
  }

  /** Tasks assigned to some engine. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Room for more tasks on engines that take work (cylinders plus prefetch). */
  get freeSlots(): number {
    let n = 0;
    // Placed by size, the reads look ahead by the free cores (every task takes one at least).
    if (this.#sized) {
      for (const e of this.#order) n += Math.max(0, e.capacity.cores - this.usage(e).cores);
      return n;
    }
    // Asked on every task while the source has more: without `-C`, kept as engines change.
    if (this.#contextLimits.size === 0) return this.#free;
    const room = new Map<number, number>();
    for (const e of this.#order) {
      const free = Math.max(0, this.#capacity(e) - e.tasks.size);
      const left = room.get(e.contextRank) ?? this.#leftIn(e.contextRank);
      room.set(e.contextRank, left - Math.min(free, left));
      n += Math.min(free, left);
    }
    return n;
  }

  /**
   * Sets a context's task limit (`-C`; 0 = none): it is given exactly that many tasks in all.
   * Tasks an engine gives back unstarted do not count, so its prefetch never uses up the limit.
   */
  setContextLimit(contextRank: number, limit: number): void {
    if (limit > 0) this.#contextLimits.set(contextRank, limit);
    else this.#contextLimits.delete(contextRank);
  }

  /** How many more tasks the context may be given. */
  #leftIn(contextRank: number): number {
    const limit = this.#contextLimits.get(contextRank);
    if (limit === undefined) return Infinity;
    return Math.max(0, limit - (this.#contextAssigned.get(contextRank) ?? 0));
  }

  /** Engines that are neither stopped nor lost. */
  get liveEngines(): number {
    let n = 0;
    for (const e of this.engines.values()) if (e.status !== "stopped" && e.status !== "lost") n++;
    return n;
  }

  /** Extra tasks each engine may hold per cylinder (0 or more). */
  setPrefetch(perCylinder: number): void {
    // Called after every result: the engines are walked only when the setting changes.
    if (perCylinder === this.#prefetch) return;
    this.#prefetch = perCylinder;
    this.#free = 0;
    for (const e of this.#order) {
      this.#free += this.#room(e);
      this.#queue(e);
    }
  }

  /** Tasks the engine can take now (0 unless it takes work). */
  #room(e: EngineState): number {
    return e.status === "running" ? Math.max(0, this.#capacity(e) - e.tasks.size) : 0;
  }

  /**
   * After a change to an engine's tasks or status (`room`: its {@link #room} before): updates
   * the free slots, the idle engines, and queues it where it now has room.
   */
  #changed(e: EngineState, room: number): void {
    this.#free += this.#room(e) - room;
    if (e.status === "running" && e.tasks.size === 0) this.#idle.add(e);
    else this.#idle.delete(e);
    this.#queue(e);
  }

  /** Queues a running engine for its idle cylinders and its prefetch room, once each. */
  #queue(e: EngineState): void {
    if (e.status !== "running") return;
    const n = e.tasks.size;
    if (n < e.cylinders && !this.#inIdleQueue.has(e)) {
      this.#inIdleQueue.add(e);
      this.#idleQueue.push(e);
    }
    if (n < this.#capacity(e) && this.#prefetch > 0 && !this.#inRoomQueue.has(e)) {
      this.#inRoomQueue.add(e);
      this.#roomQueue.push(e);
    }
  }

  #capacity(e: EngineState): number {
    return e.cylinders * (1 + this.#prefetch);
  }

  /** Registers an engine; it takes work after {@link engineReady}. */
  addEngine(e: Omit<EngineIdentity, "status"> & { capacity?: Capacity }): EngineState {
    const t = this.#now();
    const state: EngineState = {
      ...e,
      capacity: e.capacity ??
        { cores: e.cylinders, gpus: 0, memMiB: 0, slotCores: 1, slotGpus: 0 },
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
    const room = this.#room(e);
    e.status = "running";
    this.#order.push(e);
    this.#changed(e, room);
    this.#sized?.placer.addEngine(e.rank, e.capacity);
  }

  /** Something arrived from the engine. */
  heard(rank: number): void {
    const e = this.engines.get(rank);
    if (e) e.lastHeard = this.#now();
  }

  /** Queues a task for the next free slot (`front`: ahead of everything, for reissues). */
  enqueue(item: NormalItem, attempt = 1, front = false): void {
    if (item.resources && !this.#sized) this.#startSized();
    if (this.#sized) this.#sized.push(item, attempt, front);
    else if (front) this.#pending.unshift({ item, attempt });
    else this.#pending.push({ item, attempt });
  }

  /** Round-robin choice: an engine with an idle cylinder first, else one with prefetch room. */
  #pick(): EngineState | undefined {
    if (this.#contextLimits.size === 0) {
      return this.#takeFrom(this.#idleQueue, this.#inIdleQueue, 1) ??
        (this.#prefetch > 0
          ? this.#takeFrom(this.#roomQueue, this.#inRoomQueue, 1 + this.#prefetch)
          : undefined);
    }
    return this.#pickBelow(1) ??
      (this.#prefetch > 0 ? this.#pickBelow(1 + this.#prefetch) : undefined);
  }

  /**
   * The first queued engine holding fewer than `perCylinder` tasks per cylinder, taken out of
   * the queue (given its task, it is queued again at the back if it still has room: round robin).
   */
  #takeFrom(
    queue: Fifo<EngineState>,
    queued: Set<EngineState>,
    perCylinder: number,
  ): EngineState | undefined {
    for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
      queued.delete(e);
      if (e.status === "running" && e.tasks.size < e.cylinders * perCylinder) return e;
    }
    return undefined;
  }

  /** The next engine, round robin, holding fewer than `perCylinder` tasks per cylinder. */
  #pickBelow(perCylinder: number): EngineState | undefined {
    const n = this.#order.length;
    for (let k = 0; k < n; k++) {
      const e = this.#order[(this.#next + k) % n];
      if (e.tasks.size < e.cylinders * perCylinder && this.#leftIn(e.contextRank) > 0) {
        this.#next = (this.#next + k + 1) % n;
        return e;
      }
    }
    return undefined;
  }

  /**
   * Pairs waiting tasks with engines. Returns the contexts that have just been given their
   * task limit (their engines are released by {@link spentEngines} as they run out of work).
   */
  assign(): { assignments: Assignment[]; limitReached: number[] } {
    const assignments: Assignment[] = [];
    const limitReached: number[] = [];
    const placed = this.#sized ? this.#placeSized() : null;
    while (placed ? placed.length > 0 : this.#pending.length > 0) {
      const next = placed ? placed.shift() : undefined;
      const e = next ? this.engines.get(next.engine)! : this.#pick();
      if (!e) break;
      const { item, attempt } = next ? next.entry : this.#pending.shift()!;
      const a: Assignment = { item, engine: e.rank, assignedAt: this.#now(), attempt };
      const room = this.#room(e);
      e.tasks.add(item.taskId);
      this.#changed(e, room);
      e.assigned++;
      this.#inflight.set(item.taskId, a);
      assignments.push(a);
      this.#count(e.contextRank, 1);
      if (this.#leftIn(e.contextRank) === 0 && !this.#limitReported.has(e.contextRank)) {
        this.#limitReported.add(e.contextRank);
        limitReached.push(e.contextRank);
      }
    }
    return { assignments, limitReached };
  }

  /**
   * Switches to placement by size (the first task with RESOURCES): what is waiting moves over
   * in order, what engines hold counts as one slot each.
   */
  #startSized(): void {
    const q = new SizedQueue();
    while (this.#pending.length > 0) {
      const { item, attempt } = this.#pending.shift()!;
      q.push(item, attempt);
    }
    for (const e of this.#order) q.placer.addEngine(e.rank, e.capacity);
    for (const a of this.#inflight.values()) q.placer.hold(a.item.taskId, a.engine, undefined);
    this.#sized = q;
  }

  #placeSized() {
    // Counted as they are placed: one pass may place several tasks on a context with `-C`.
    const given = new Map<number, number>();
    return this.#sized!.take((rank) => {
      const c = this.engines.get(rank)!.contextRank;
      const n = given.get(c) ?? 0;
      if (this.#leftIn(c) - n <= 0) return false;
      given.set(c, n + 1);
      return true;
    });
  }

  /** Whether tasks wait that no engine taking work could ever hold (see {@link dropImpossible}). */
  get hasImpossible(): boolean {
    return this.#sized?.hasImpossible ?? false;
  }

  /**
   * Takes the waiting tasks that no engine taking work could ever hold out of the queue, with
   * the largest engine's capacity (for the message).
   */
  dropImpossible(): { tasks: { item: NormalItem; attempt: number }[]; largest: Demand } {
    const q = this.#sized;
    if (!q) return { tasks: [], largest: { cores: 0, gpus: 0, memMiB: 0 } };
    return { largest: q.largest(), tasks: q.dropImpossible() };
  }

  /**
   * What monitors show of engine `rank` once tasks are placed by size (null before): its
   * capacity, what its tasks hold and its tasks with RESOURCES.
   */
  resourceView(rank: number): EngineResourceView | null {
    const e = this.engines.get(rank);
    if (!this.#sized || !e) return null;
    const u = this.usage(e);
    const c = e.capacity;
    const sized = [];
    for (const id of e.tasks) {
      const r = this.#inflight.get(id)?.item.resources;
      if (r) sized.push({ id, ...r });
    }
    return {
      cores: c.cores,
      usedCores: u.cores,
      gpus: c.gpus,
      usedGpus: u.gpus,
      memMiB: c.memMiB,
      usedMemMiB: u.memMiB,
      sized,
    };
  }

  /** Cores, GPUs and memory engine `e`'s tasks hold (a task without RESOURCES: one slot). */
  usage(e: EngineState): Demand {
    const u = this.#sized?.placer.used(e.rank);
    if (u) return u;
    const n = Math.min(e.tasks.size, e.cylinders);
    return { cores: n * e.capacity.slotCores, gpus: n * e.capacity.slotGpus, memMiB: 0 };
  }

  #count(contextRank: number, delta: number): void {
    this.#contextAssigned.set(contextRank, (this.#contextAssigned.get(contextRank) ?? 0) + delta);
  }

  /**
   * Engines to release because their context has been given its task limit and they hold
   * nothing more to run (an engine still holding prefetched tasks runs them first).
   */
  spentEngines(): number[] {
    const out: number[] = [];
    // Asked after every result: without `-C` no engine is ever spent.
    if (this.#contextLimits.size === 0) return out;
    for (const e of this.engines.values()) {
      if (e.status !== "starting" && e.status !== "running") continue;
      if (e.tasks.size === 0 && this.#leftIn(e.contextRank) === 0) out.push(e.rank);
    }
    return out;
  }

  /** A task finished; returns its assignment (undefined if it is not in flight there). */
  complete(engine: number, taskId: number, failed: boolean): Assignment | undefined {
    const a = this.#inflight.get(taskId);
    if (!a || a.engine !== engine) return undefined;
    this.#inflight.delete(taskId);
    this.#sized?.placer.release(taskId);
    const e = this.engines.get(engine)!;
    const room = this.#room(e);
    e.tasks.delete(taskId);
    this.#changed(e, room);
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
      this.#sized?.placer.release(id);
      const room = this.#room(e);
      e.tasks.delete(id);
      this.#changed(e, room);
      this.#count(e.contextRank, -1);
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
        this.#sized?.placer.release(id);
        lost.push(a);
      }
    }
    e.tasks.clear();
    // Some may never have started there (prefetched): none counts toward the context's limit.
    this.#count(e.contextRank, -lost.length);
    return lost.sort((x, y) => x.item.taskId - y.item.taskId);
  }

  #leave(e: EngineState, status: EngineStatus): void {
    if (e.status === "running") {
      const i = this.#order.indexOf(e);
      this.#order.splice(i, 1);
      if (this.#next > i) this.#next--;
      if (this.#next >= this.#order.length) this.#next = 0;
      this.#sized?.placer.removeEngine(e.rank);
    }
    const room = this.#room(e);
    e.status = status;
    // Still queued: dropped from the queues when its turn comes.
    this.#changed(e, room);
  }

  /** Engines that take work and hold no task. */
  idleEngines(): EngineState[] {
    return [...this.#idle];
  }
}
