/**
 * An engine's cores and GPUs in use, for the monitor's engine rows, once the run has tasks with
 * `#DISBATCH RESOURCES` (before, the slots column says it all).
 * @module
 */
import type { EngineView } from "../protocol/messages.ts";

/** `cores 6/8 gpus 1/2  ` (used/total; GPUs only where the engine has any), or "". */
export function resourceUse(e: EngineView): string {
  if (e.cores === undefined) return "";
  const gpus = e.gpus ? ` gpus ${e.usedGpus ?? 0}/${e.gpus}` : "";
  return `cores ${e.usedCores ?? 0}/${e.cores}${gpus}  `;
}
