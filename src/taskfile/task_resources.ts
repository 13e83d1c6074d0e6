/**
 * `#DISBATCH RESOURCES cores=N gpus=N mem=SIZE` (disbatch's own directive): what each task below
 * it needs of one engine. The values are parsed here; the parser keeps the current request like
 * PREFIX or TIMEOUT.
 * @module
 */

/** What one task asks of the engine that runs it. */
export interface TaskResources {
  /** Cores (at least 1). */
  cores: number;
  /** GPUs (0 or more), given to the task as ids in `CUDA_VISIBLE_DEVICES` and the `-E` variable. */
  gpus: number;
  /** Memory in MiB (0: none asked). */
  memMiB: number;
}

/** Multipliers of the memory units, to MiB (a bare number is MiB, as Slurm's `--mem`). */
const MEM_UNITS: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
const MEM_RE = /^([0-9]+(?:\.[0-9]+)?)([KMGT]?)(?:I?B)?$/i;
const COUNT_RE = /^[0-9]+$/;
/** No engine has more: larger values are typos, and must stay exact integers. */
const MAX_COUNT = 1_000_000;

/**
 * Parses the words after `#DISBATCH RESOURCES`: `default` (null: one slot per task, as without
 * the directive) or any non-empty subset of `cores=N`, `gpus=N`, `mem=SIZE`, each at most once.
 * Cores not given are 1.
 * @returns the request, null for `default`, or a one-line problem (a string) for a bad value.
 */
export function parseResources(words: string): TaskResources | null | string {
  const parts = words.trim().split(/[ \t]+/).filter((w) => w.length > 0);
  if (parts.length === 1 && parts[0].toLowerCase() === "default") return null;
  if (parts.length === 0) return "expected cores=N, gpus=N, mem=SIZE or default";
  const r: TaskResources = { cores: 1, gpus: 0, memMiB: 0 };
  const seen = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1);
    if (key !== "cores" && key !== "gpus" && key !== "mem") {
      return `unknown resource '${part}' (expected cores=N, gpus=N, mem=SIZE or default)`;
    }
    if (seen.has(key)) return `${key} given twice`;
    seen.add(key);
    if (key === "mem") {
      const m = MEM_RE.exec(value);
      const mib = m ? Math.ceil(Number(m[1]) * MEM_UNITS[(m[2] || "M").toUpperCase()]) : NaN;
      if (!Number.isSafeInteger(mib)) {
        return `mem=${value} is not a size (a number of MiB, or with K, M, G or T)`;
      }
      r.memMiB = mib;
      continue;
    }
    const n = COUNT_RE.test(value) ? Number(value) : NaN;
    const min = key === "cores" ? 1 : 0;
    if (!(n >= min && n <= MAX_COUNT)) {
      return `${key}=${value} is not an integer from ${min} to ${MAX_COUNT}`;
    }
    if (key === "cores") r.cores = n;
    else r.gpus = n;
  }
  return r;
}

/** The request as written in logs and `--state`: `cores=4 gpus=1 mem=2048M`. */
export function formatResources(r: TaskResources): string {
  return `cores=${r.cores} gpus=${r.gpus} mem=${r.memMiB}M`;
}
