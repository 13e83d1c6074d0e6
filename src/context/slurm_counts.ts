/**
 * Slurm's compressed per-node counts (`SLURM_JOB_CPUS_PER_NODE`, `SLURM_TASKS_PER_NODE`):
 * comma-separated items `V` or `V(xM)`, M copies of V.
 * @module
 */

/** The value is not a compressed count list. */
export class SlurmCountsError extends Error {
  override name = "SlurmCountsError";
}

/** `4,1(x2)` → `[4, 1, 1]`; `40,128(x3)` → `[40, 128, 128, 128]`. */
export function decodeSlurmCounts(value: string): number[] {
  const out: number[] = [];
  for (const item of value.split(",")) {
    const m = item.trim().match(/^(\d+)(?:\(x(\d+)\))?$/);
    if (!m) throw new SlurmCountsError(`not a Slurm count list: '${value}'`);
    for (let i = 0; i < Number(m[2] ?? 1); i++) out.push(Number(m[1]));
  }
  return out;
}
