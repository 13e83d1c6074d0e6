/**
 * The environment a task with `#DISBATCH RESOURCES` sees on top of the engine's: its core count,
 * its memory, and exactly the GPU ids it holds.
 * @module
 */
import type { Held } from "./resource_pool.ts";

/**
 * The variables of a task asking `res` and holding `held`; `gpuVar`: the engine's GPU variable
 * (the `-E` one, or CUDA_VISIBLE_DEVICES; null when the engine has no GPUs: then neither is set).
 */
export function sizedTaskEnv(
  res: { cores: number; memMiB: number },
  held: Held,
  gpuVar: string | null,
): Record<string, string> {
  const env: Record<string, string> = {
    DISBATCH_CORES_PER_TASK: String(res.cores),
    DISBATCH_MEM: String(res.memMiB),
  };
  if (gpuVar !== null) {
    const ids = held.gpus.join(",");
    env.CUDA_VISIBLE_DEVICES = ids;
    env[gpuVar] = ids;
  }
  return env;
}
