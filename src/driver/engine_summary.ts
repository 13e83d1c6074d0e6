/**
 * The engines and contexts of a state snapshot, bounded whatever the size of the run: monitors
 * (`--mon`, the `-w` dashboard) get a snapshot every half second, and a run of thousands of
 * engines must not make each one megabytes to encode, send and draw. At most
 * {@link MAX_ENGINE_VIEWS} engines are listed — live ones first, by rank, then the ones that
 * ended most recently — each with at most {@link MAX_TASK_IDS} of its task ids; the totals
 * count every engine. A context lists at most {@link MAX_CONTEXT_NODES} of its nodes, with the
 * number of its nodes and of its live engines. Pure.
 * @module
 */
import type { ContextView, EngineTotals, EngineView } from "../protocol/messages.ts";
import { engineLoad } from "../sched/engine_load.ts";
import type { EngineState } from "../sched/scheduler.ts";

/** Engines listed in a snapshot at most. */
export const MAX_ENGINE_VIEWS = 100;
/** Task ids listed per engine at most (running ones come first). */
export const MAX_TASK_IDS = 64;
/** Node names listed per context at most. */
export const MAX_CONTEXT_NODES = 64;

/** What the driver knows of a context (its view without the counts and cut). */
export type ContextFacts = Omit<ContextView, "engines" | "nodeCount">;

/** The engine part of a snapshot. */
export interface EngineSummary {
  engines: EngineView[];
  engineTotals: EngineTotals;
  contexts: ContextView[];
  /** Tasks running on engines, and queued on them (every engine). */
  running: number;
  queued: number;
}

function live(e: EngineState): boolean {
  return e.status === "starting" || e.status === "running" || e.status === "draining";
}

/** The summary at time `t` of `engines` (in rank order) and `contexts`. */
export function engineSummary(
  engines: Iterable<EngineState>,
  contexts: ContextFacts[],
  t: number,
): EngineSummary {
  const totals: EngineTotals = {
    engines: 0,
    starting: 0,
    running: 0,
    draining: 0,
    stopped: 0,
    lost: 0,
    cylinders: 0,
  };
  let running = 0, queued = 0;
  const alive: EngineState[] = [];
  const ended: EngineState[] = [];
  const perContext = new Map<number, number>();
  for (const e of engines) {
    totals.engines++;
    totals[e.status]++;
    const load = engineLoad(e.cylinders, e.tasks.size);
    running += load.running;
    queued += load.queued;
    if (live(e)) {
      totals.cylinders += e.cylinders;
      perContext.set(e.contextRank, (perContext.get(e.contextRank) ?? 0) + 1);
      if (alive.length < MAX_ENGINE_VIEWS) alive.push(e);
    } else ended.push(e);
  }
  const shown = alive.concat(ended.slice(-Math.max(0, MAX_ENGINE_VIEWS - alive.length)).reverse())
    .slice(0, MAX_ENGINE_VIEWS)
    .sort((a, b) => a.rank - b.rank);
  return {
    engines: shown.map((e) => engineView(e, t)),
    engineTotals: totals,
    contexts: contexts.map((c) => ({
      ...c,
      nodes: c.nodes.slice(0, MAX_CONTEXT_NODES),
      nodeCount: c.nodes.length,
      engines: perContext.get(c.rank) ?? 0,
    })),
    running,
    queued,
  };
}

function engineView(e: EngineState, t: number): EngineView {
  const tasks: number[] = [];
  for (const id of e.tasks) {
    if (tasks.length === MAX_TASK_IDS) break;
    tasks.push(id);
  }
  return {
    rank: e.rank,
    contextRank: e.contextRank,
    node: e.node,
    host: e.host,
    pid: e.pid,
    cylinders: e.cylinders,
    status: e.status,
    tasks,
    ...engineLoad(e.cylinders, e.tasks.size),
    assigned: e.assigned,
    finished: e.finished,
    failed: e.failed,
    silentFor: Math.max(0, t - e.lastHeard),
    since: e.since,
  };
}
