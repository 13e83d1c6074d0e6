/**
 * The job allocation a Slurm context works with, read from the environment Slurm gives a job
 * (spec §2): job id, nodes (`SLURM_NODELIST`, expanded here like `scontrol show hostnames`),
 * CPUs and tasks per node.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { expandHostlist } from "./hostlist.ts";
import { decodeSlurmCounts } from "./slurm_counts.ts";

/** The Slurm variables are missing or malformed. */
export class SlurmEnvError extends Error {
  override name = "SlurmEnvError";
}

/** A job's allocation. */
export interface SlurmAllocation {
  jobId: string;
  nodes: string[];
  cpus: number[];
  tasks: number[];
}

/** Reads the allocation; throws {@link SlurmEnvError} naming the variable at fault. */
export function readSlurmAllocation(env: (name: string) => string | undefined): SlurmAllocation {
  const get = (name: string): string => {
    const v = env(name);
    if (v === undefined || v === "") {
      throw new SlurmEnvError(`Slurm context: ${name} is not set (run inside a Slurm job)`);
    }
    return v;
  };
  const parse = <T>(name: string, f: (v: string) => T): T => {
    try {
      return f(get(name));
    } catch (e) {
      if (e instanceof SlurmEnvError) throw e;
      throw new SlurmEnvError(`Slurm context: ${name}: ${errorMessage(e)}`, { cause: e });
    }
  };
  const jobId = env("SLURM_JOB_ID") || get("SLURM_JOBID");
  const nodes = parse("SLURM_NODELIST", expandHostlist);
  const cpus = parse("SLURM_JOB_CPUS_PER_NODE", decodeSlurmCounts);
  const tasks = parse("SLURM_TASKS_PER_NODE", decodeSlurmCounts);
  if (cpus.length !== nodes.length || tasks.length !== nodes.length) {
    throw new SlurmEnvError(
      `Slurm context: SLURM_NODELIST has ${nodes.length} nodes, SLURM_JOB_CPUS_PER_NODE ` +
        `${cpus.length} and SLURM_TASKS_PER_NODE ${tasks.length} values`,
    );
  }
  return { jobId, nodes, cpus, tasks };
}
