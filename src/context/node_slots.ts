/**
 * Nodes and cylinders of an SSH context (spec §9.3.1).
 * @module
 */
import { floatFloorDiv } from "./float_floor_div.ts";

/** A `-s` / `DISBATCH_SSH_NODELIST` item is not `HOST:N` with N >= 1. */
export class NodeListError extends Error {
  override name = "NodeListError";
}

/** One node of a context with its slot arithmetic done. */
export interface NodeSlots {
  node: string;
  cores: number;
  cylinders: number;
  coresPerCylinder: number;
}

/**
 * Parses `host:N[,host:N...]`: items split on `,`, trimmed, empty ones ignored, each split at
 * its last `:`; `localhost` becomes `localName`; a repeated host has its cores summed.
 */
export function parseNodeList(
  list: string,
  localName: string,
  warn: (m: string) => void = () => {},
): { node: string; cores: number }[] {
  const out = new Map<string, number>();
  for (const raw of list.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const i = item.lastIndexOf(":");
    const count = i > 0 ? item.slice(i + 1).trim() : "";
    // A count below 1 gives the host no slot: the run would start and then run nothing.
    if (i <= 0 || !/^\+?\d+$/.test(count) || Number(count) < 1) {
      throw new NodeListError(`item '${item}' is not HOST:N (a host name and N >= 1 slots)`);
    }
    let host = item.slice(0, i);
    if (host === "localhost") host = localName;
    const cores = Number(count);
    const had = out.get(host);
    if (had !== undefined) warn(`Repeated ${host} so summing cores ${had} + ${cores}`);
    out.set(host, (had ?? 0) + cores);
  }
  if (out.size === 0) throw new NodeListError(`no HOST:N item in '${list}'`);
  return [...out].map(([node, cores]) => ({ node, cores }));
}

/** SSH slot rule: `-t` if set (> 0), else `cores // cpusPerTask` (Python float semantics). */
export function sshSlots(cores: number, cpusPerTask: number, tasksPerNode: number): {
  cylinders: number;
  coresPerCylinder: number;
} {
  const cpt = cpusPerTask > 0 ? cpusPerTask : 1;
  const cylinders = tasksPerNode > 0 ? tasksPerNode : Math.max(0, floatFloorDiv(cores, cpt));
  const coresPerCylinder = cylinders > 0 ? Math.floor(cores / cylinders) : cores;
  return { cylinders, coresPerCylinder };
}
