/**
 * What the Slurm context exports before it runs srun (spec §9.4.1): the `NAME=VALUE` lines of
 * `DISBATCH_SLURM_SRUN_OPTIONS_FILE`, or by default `SLURM_CPU_BIND` (kept, else `cores`) and
 * `SLURM_MPI_TYPE=none`. srun reads them as options and passes them on to the tasks.
 * @module
 */

/** A line of the srun options file is not `NAME=VALUE`. */
export class SrunOptionsError extends Error {
  override name = "SrunOptionsError";
}

/** The variables to export; `file` is the options file's path and text, or null. */
export function srunEnvironment(
  file: { path: string; text: string } | null,
  env: (name: string) => string | undefined,
): Record<string, string> {
  if (file === null) {
    return { SLURM_CPU_BIND: env("SLURM_CPU_BIND") ?? "cores", SLURM_MPI_TYPE: "none" };
  }
  const out: Record<string, string> = {};
  file.text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      throw new SrunOptionsError(`${file.path}:${i + 1}: expected NAME=VALUE, got '${line}'`);
    }
    out[line.slice(0, eq)] = line.slice(eq + 1);
  });
  return out;
}
