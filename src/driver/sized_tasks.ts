/**
 * The driver's side of `#DISBATCH RESOURCES` that is not placement itself: an engine's capacity
 * from its registration, when a task no engine can hold is known to be impossible, and the
 * record and message of such a task.
 * @module
 */
import type { Capacity, Demand } from "../sched/resource_placer.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { UNPLACEABLE_RC } from "../status/task_record.ts";
import type { NormalItem } from "../taskfile/task_item.ts";
import { formatResources } from "../taskfile/task_resources.ts";
import { taskRecord } from "./result_policy.ts";

/**
 * Seconds without a new engine after which the engines there are taken to be all the run will
 * get (a node without cylinders or whose engine failed to start never registers).
 */
export const SETTLE_S = 10;

/** An engine's capacity from what it said when it registered. */
export function capacityOf(r: {
  cylinders: number;
  coresPerCylinder: number;
  gpus?: number;
  slotGpus?: number;
  memMiB?: number;
}): Capacity {
  const slotCores = Math.max(1, r.coresPerCylinder);
  return {
    cores: r.cylinders * slotCores,
    slotCores,
    gpus: r.gpus ?? 0,
    slotGpus: r.slotGpus ?? 0,
    memMiB: r.memMiB ?? 0,
  };
}

/**
 * Whether the engines taking work are all the run has for now, so a task none of them can hold
 * fails: some engine runs, none is starting, and either every context has an engine per node or
 * no engine has registered for {@link SETTLE_S} seconds. A context added later (`-S`,
 * `P_dbUtil.sh`) does not bring back a task that failed so.
 */
export function placementSettled(
  contexts: Iterable<{ rank: number; nodes: string[] }>,
  engines: Iterable<{ contextRank: number; status: string; since: number }>,
  now: number,
): boolean {
  const perContext = new Map<number, number>();
  let running = false;
  let last = -Infinity;
  for (const e of engines) {
    if (e.status === "starting") return false;
    if (e.status === "running") running = true;
    perContext.set(e.contextRank, (perContext.get(e.contextRank) ?? 0) + 1);
    last = Math.max(last, e.since);
  }
  if (!running) return false;
  if (now - last >= SETTLE_S) return true;
  for (const c of contexts) if ((perContext.get(c.rank) ?? 0) < c.nodes.length) return false;
  return true;
}

/** Why a task cannot run: its line, its request and the most any engine has. */
export function unplaceableMessage(item: NormalItem, largest: Demand): string {
  return `task ${item.taskId} (line ${item.line}) asks for ${formatResources(item.resources!)}, ` +
    `more than any engine has (engines have at most ${formatResources(largest)})`;
}

/** The final record of a task that no engine can hold (`t`: now; `host`: the driver's). */
export function unplaceableRecord(
  item: NormalItem,
  message: string,
  t: number,
  host: string,
): TaskRecord {
  return taskRecord(item, host, {
    pid: -1,
    rc: UNPLACEABLE_RC,
    start: t,
    finish: t,
    outBytes: 0,
    outSnippet: "",
    errBytes: new TextEncoder().encode(message).length,
    errSnippet: message,
  });
}
