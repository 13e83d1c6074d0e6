/**
 * The command that starts one node's engine: directly on the context's own host, over ssh, or
 * as a Slurm job step.
 * @module
 */
import { shellQuote } from "../protocol/db_util_script.ts";

/** How a node's engine is started. */
export type Launcher =
  | { kind: "local" }
  /** `extraOptions`: the words of `DISBATCH_SSH_OPTIONS`. */
  | { kind: "ssh"; extraOptions: string[] }
  /** `stepCpus`: `srun -c`, the CPUs of the step's single task. */
  | { kind: "srun"; stepCpus: number };

/**
 * ssh options always given. BatchMode: never prompt (there is no terminal; a missing key must
 * fail, not hang). ConnectTimeout: an unreachable host fails in seconds, not after the kernel's
 * minutes-long TCP timeout. ssh takes the first value of an option, so `DISBATCH_SSH_OPTIONS`
 * (placed before these) can override them.
 */
export const SSH_OPTIONS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"];

/** Splits `DISBATCH_SSH_OPTIONS` (whitespace-separated words, no quoting). */
export function sshExtraOptions(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((w) => w !== "");
}

/** `[cmd, args]` that runs `dbUtil engineArgs…` on `node`. */
export function engineCommand(
  launcher: Launcher,
  node: string,
  dbUtil: string,
  engineArgs: string[],
): { cmd: string; args: string[] } {
  switch (launcher.kind) {
    case "local":
      return { cmd: dbUtil, args: engineArgs };
    case "ssh":
      // The remote side runs the words through a shell: quote each one.
      return {
        cmd: "ssh",
        args: [
          ...launcher.extraOptions,
          ...SSH_OPTIONS,
          node,
          [dbUtil, ...engineArgs].map(shellQuote).join(" "),
        ],
      };
    case "srun":
      // One task per node that holds all of the node's cylinders (the engine runs them itself).
      // --overlap: the step does not reserve its CPUs against other steps, so a task that calls
      // srun itself, or a second context in the same job, is not blocked ("Requested nodes are
      // busy") while the engine lives; Slurm >= 20.11. --mem=0: the step may use all of the
      // job's memory on the node (otherwise an inherited --mem-per-cpu limits it to -c CPUs'
      // worth). -N 1: the inherited SLURM_NNODES would otherwise spread the step over the job.
      return {
        cmd: "srun",
        args: [
          "--overlap",
          "--mem=0",
          "-N",
          "1",
          "-n",
          "1",
          "-c",
          String(launcher.stepCpus),
          "-w",
          node,
          dbUtil,
          ...engineArgs,
        ],
      };
  }
}
