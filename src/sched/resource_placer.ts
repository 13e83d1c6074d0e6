/**
 * Placement of tasks that ask for resources (`#DISBATCH RESOURCES`): which engine, if any, can
 * start which waiting task now. Pure: the scheduler feeds it engines, holds and releases.
 *
 * The rule (documented in the README, "Tasks of different sizes"):
 * - waiting tasks are looked at in file order (reissued ones first), a task without RESOURCES
 *   asking one cylinder's worth of its engine (`slotCores` cores, `slotGpus` GPUs);
 * - a task starts on the first engine, round robin, whose free cores, GPUs and memory all
 *   cover its request;
 * - the oldest task that cannot start gets a reservation on one engine that could hold it (the
 *   one it lacks the least of): later tasks start there only if what they take leaves that
 *   task's request free. Nothing else can then eat the reserved engine's capacity as it frees
 *   up, so however many small tasks follow, the large one starts as soon as the tasks already
 *   running there end. Other engines keep taking the later tasks (backfill). Without run-time
 *   estimates this is Slurm's backfill with every job's time limit unknown.
 * - a task that no live engine could ever hold is reported as impossible; the caller decides
 *   when that is final (more engines may still be starting).
 * @module
 */

/** A request: cores, GPUs, MiB of memory. */
export interface Demand {
  cores: number;
  gpus: number;
  memMiB: number;
}

/** What an engine offers (see src/engine/engine_capacity.ts). */
export interface Capacity extends Demand {
  /** Cores and GPUs a task without RESOURCES holds. */
  slotCores: number;
  slotGpus: number;
}

/** A waiting task as the placer sees it. */
export interface Waiting {
  taskId: number;
  /** Undefined: one slot of whichever engine runs it. */
  resources?: Demand;
}

interface Reservation {
  taskId: number;
  engine: EngineUse;
  /** What the task needs there. */
  demand: Demand;
}

interface EngineUse {
  rank: number;
  cap: Capacity;
  used: Demand;
}

/** What {@link ResourcePlacer.place} decided. */
export interface Placement {
  /** Indices into the waiting list and the engine each starts on, in list order. */
  placed: { index: number; engine: number }[];
  /** Indices of waiting tasks no live engine could ever hold. */
  impossible: number[];
}

/** Engines' capacity and use; placement of waiting tasks (see module doc). */
export class ResourcePlacer {
  readonly #engines = new Map<number, EngineUse>();
  /** Engines that take work, in round-robin order. */
  #order: EngineUse[] = [];
  #next = 0;
  readonly #held = new Map<number, { engine: EngineUse; demand: Demand }>();
  #reserved: Reservation | null = null;

  /** An engine that takes work. */
  addEngine(rank: number, cap: Capacity): void {
    const e: EngineUse = { rank, cap, used: { cores: 0, gpus: 0, memMiB: 0 } };
    this.#engines.set(rank, e);
    this.#order.push(e);
  }

  /** The engine takes no more work (draining, stopped, lost); what it holds stays held. */
  removeEngine(rank: number): void {
    const e = this.#engines.get(rank);
    const i = e ? this.#order.indexOf(e) : -1;
    if (i < 0) return;
    // Kept in #engines: its tasks still hold what they hold until they end.
    this.#order.splice(i, 1);
    if (this.#next > i) this.#next--;
    if (this.#next >= this.#order.length) this.#next = 0;
    if (this.#reserved?.engine === e) this.#reserved = null;
  }

  /** The engine the oldest blocked task waits for, with that task's id (null: none). */
  get reservation(): { taskId: number; engine: number } | null {
    const r = this.#reserved;
    return r && { taskId: r.taskId, engine: r.engine.rank };
  }

  /** What engine `rank` has in use (undefined: never added). */
  used(rank: number): Demand | undefined {
    return this.#engines.get(rank)?.used;
  }

  /** Counts `taskId` (asking `resources`, or a slot) as running on engine `rank`. */
  hold(taskId: number, rank: number, resources: Demand | undefined): void {
    const e = this.#engines.get(rank);
    if (!e) return;
    const demand = resources ?? slotOf(e.cap);
    add(e.used, demand, 1);
    this.#held.set(taskId, { engine: e, demand });
  }

  /** The task ended or was given back: what it held is free. */
  release(taskId: number): void {
    const h = this.#held.get(taskId);
    if (!h) return;
    this.#held.delete(taskId);
    add(h.engine.used, h.demand, -1);
  }

  /** The largest engine taking work, per resource (for messages). */
  largest(): Demand {
    const m: Demand = { cores: 0, gpus: 0, memMiB: 0 };
    for (const e of this.#order) {
      m.cores = Math.max(m.cores, e.cap.cores);
      m.gpus = Math.max(m.gpus, e.cap.gpus);
      m.memMiB = Math.max(m.memMiB, e.cap.memMiB);
    }
    return m;
  }

  /**
   * Decides which of `waiting` (oldest first) start now, and where; `allowed(rank)` says whether
   * an engine may take one more task (its context's `-C` limit). Placed tasks are held.
   */
  place(waiting: readonly Waiting[], allowed: (rank: number) => boolean = () => true): Placement {
    const placed: Placement["placed"] = [];
    const impossible: number[] = [];
    const order = this.#order;
    if (order.length === 0) return { placed, impossible };
    if (this.#reserved && !waiting.some((w) => w.taskId === this.#reserved!.taskId)) {
      this.#reserved = null;
    }
    let free = 0;
    for (const e of order) free += Math.max(0, e.cap.cores - e.used.cores);
    for (let i = 0; i < waiting.length && free > 0; i++) {
      const w = waiting[i];
      const r = this.#reserved;
      const e = this.#pick(w, r, allowed);
      if (e) {
        this.hold(w.taskId, e.rank, w.resources);
        free -= (w.resources ?? slotOf(e.cap)).cores;
        placed.push({ index: i, engine: e.rank });
        if (r?.taskId === w.taskId) this.#reserved = null;
        continue;
      }
      if (!order.some((x) => covers(x.cap, w.resources ?? slotOf(x.cap)))) {
        impossible.push(i);
        continue;
      }
      if (!r) {
        const engine = this.#closest(w);
        this.#reserved = { taskId: w.taskId, engine, demand: w.resources ?? slotOf(engine.cap) };
      }
    }
    return { placed, impossible };
  }

  /** The next engine, round robin, where `w` fits now without eating the reservation `r`. */
  #pick(
    w: Waiting,
    r: Reservation | null,
    allowed: (rank: number) => boolean,
  ): EngineUse | undefined {
    const n = this.#order.length;
    for (let k = 0; k < n; k++) {
      const e = this.#order[(this.#next + k) % n];
      const d = w.resources ?? slotOf(e.cap);
      if (!fits(e, d, r && r.engine === e && r.taskId !== w.taskId ? r.demand : null)) continue;
      if (!allowed(e.rank)) continue;
      this.#next = (this.#next + k + 1) % n;
      return e;
    }
    return undefined;
  }

  /** The engine that could hold `w` and lacks the least of it now (ties: the first). */
  #closest(w: Waiting): EngineUse {
    let best: EngineUse | undefined;
    let bestLack = Infinity;
    for (const e of this.#order) {
      const d = w.resources ?? slotOf(e.cap);
      if (!covers(e.cap, d)) continue;
      const lack = lackOf(e, d);
      if (lack < bestLack) [best, bestLack] = [e, lack];
    }
    return best!;
  }
}

/** What a task without RESOURCES holds on an engine of capacity `cap`. */
function slotOf(cap: Capacity): Demand {
  return { cores: cap.slotCores, gpus: cap.slotGpus, memMiB: 0 };
}

function add(used: Demand, d: Demand, sign: number): void {
  used.cores += sign * d.cores;
  used.gpus += sign * d.gpus;
  used.memMiB += sign * d.memMiB;
}

/** The engine could hold `d` when idle. */
function covers(cap: Demand, d: Demand): boolean {
  return d.cores <= cap.cores && d.gpus <= cap.gpus && d.memMiB <= cap.memMiB;
}

/**
 * `d` fits in what `e` has free, less what the task reserved on `e` needs (null: none)
 * (where the reserved task already lacks a resource, none of it is left for others).
 */
function fits(e: EngineUse, d: Demand, reserved: Demand | null): boolean {
  const c = e.cap;
  const u = e.used;
  let freeCores = c.cores - u.cores;
  let freeGpus = c.gpus - u.gpus;
  let freeMem = c.memMiB - u.memMiB;
  if (reserved) {
    freeCores = Math.max(0, freeCores - reserved.cores);
    freeGpus = Math.max(0, freeGpus - reserved.gpus);
    freeMem = Math.max(0, freeMem - reserved.memMiB);
  }
  return d.cores <= freeCores && d.gpus <= freeGpus && d.memMiB <= freeMem;
}

/** How much of `d` engine `e` lacks now, as fractions of its capacity. */
function lackOf(e: EngineUse, d: Demand): number {
  const c = e.cap;
  const u = e.used;
  const part = (need: number, free: number, cap: number) =>
    need > free ? (need - free) / Math.max(1, cap) : 0;
  return part(d.cores, c.cores - u.cores, c.cores) + part(d.gpus, c.gpus - u.gpus, c.gpus) +
    part(d.memMiB, c.memMiB - u.memMiB, c.memMiB);
}
