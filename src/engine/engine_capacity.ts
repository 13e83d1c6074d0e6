/**
 * What an engine offers tasks that ask for resources (`#DISBATCH RESOURCES`): its cores, its GPU
 * ids and its memory, found once at its start from its options and its environment.
 * @module
 */

/** An engine's capacity. */
export interface EngineCapacity {
  /** Cylinders × cores per cylinder (a cylinder counts at least one core). */
  cores: number;
  /** Cores one task without a RESOURCES directive holds (one cylinder). */
  slotCores: number;
  /** GPU ids: the first `-E` variable's values, else CUDA_VISIBLE_DEVICES, else Slurm's. */
  gpus: string[];
  /** Where the ids came from: the variable a GPU task sees its ids in (with CUDA_VISIBLE_DEVICES). */
  gpuVar: string | null;
  /**
   * GPUs one task without a RESOURCES directive holds: 1 when the ids come from `-E` (each
   * cylinder has its own value, as before), else 0 (such tasks see every GPU, as before).
   */
  slotGpus: number;
  /** MiB: Slurm's memory of the node when set, else the node's total; 0 when unknown. */
  memMiB: number;
}

/** Slurm's GPU variables, most specific first (the step's, then the job's). */
const SLURM_GPU_VARS = ["SLURM_STEP_GPUS", "SLURM_JOB_GPUS"];

function ids(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  // "NoDevFiles" is what Slurm puts in CUDA_VISIBLE_DEVICES of a step without GPUs.
  if (value === "NoDevFiles") return [];
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/** MemTotal of a /proc/meminfo text, in MiB (0 when absent). */
export function memTotalMiB(meminfo: string): number {
  const m = /^MemTotal:\s+([0-9]+)\s*kB/m.exec(meminfo);
  return m ? Math.floor(Number(m[1]) / 1024) : 0;
}

/**
 * The capacity of an engine with `cylinders` cylinders of `coresPerCylinder` cores, `-E`
 * variables `envResource`, the environment `env` and the node's `/proc/meminfo` text (null when
 * unreadable).
 */
export function engineCapacity(
  cylinders: number,
  coresPerCylinder: number,
  envResource: string[],
  env: (name: string) => string | undefined,
  meminfo: string | null,
): EngineCapacity {
  const slotCores = Math.max(1, coresPerCylinder);
  let gpus: string[] = [];
  let gpuVar: string | null = null;
  let slotGpus = 0;
  const first = envResource.flatMap((s) => s.split(",")).find((n) => n && env(n) !== undefined);
  if (first) {
    gpus = ids(env(first))!;
    gpuVar = first;
    slotGpus = 1;
  } else {
    for (const name of ["CUDA_VISIBLE_DEVICES", ...SLURM_GPU_VARS]) {
      const found = ids(env(name));
      if (found === null) continue;
      gpus = found;
      gpuVar = "CUDA_VISIBLE_DEVICES";
      break;
    }
  }
  const slurmMem = Number(env("SLURM_MEM_PER_NODE"));
  const memMiB = Number.isSafeInteger(slurmMem) && slurmMem > 0
    ? slurmMem
    : meminfo === null
    ? 0
    : memTotalMiB(meminfo);
  return { cores: cylinders * slotCores, slotCores, gpus, gpuVar, slotGpus, memMiB };
}
