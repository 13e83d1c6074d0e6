import assert from "node:assert/strict";
import { readSlurmAllocation, SlurmEnvError } from "./slurm_allocation.ts";

const LAB = {
  SLURM_JOBID: "12",
  SLURM_JOB_ID: "12",
  SLURM_NODELIST: "n[1-3]",
  SLURM_JOB_CPUS_PER_NODE: "4,1(x2)",
  SLURM_TASKS_PER_NODE: "4,1(x2)",
};

function read(env: Record<string, string | undefined>) {
  return readSlurmAllocation((n) => env[n]);
}

Deno.test("readSlurmAllocation expands the lab's sbatch -N 3 -n 6 environment", () => {
  assert.deepEqual(read(LAB), {
    jobId: "12",
    nodes: ["n1", "n2", "n3"],
    cpus: [4, 1, 1],
    tasks: [4, 1, 1],
  });
  assert.equal(read({ ...LAB, SLURM_JOB_ID: undefined }).jobId, "12");
});

Deno.test("readSlurmAllocation names the variable at fault", () => {
  const bad: [Record<string, string | undefined>, RegExp][] = [
    [{ ...LAB, SLURM_NODELIST: undefined }, /SLURM_NODELIST is not set/],
    [{ ...LAB, SLURM_NODELIST: "n[3-1]" }, /SLURM_NODELIST: Invalid range/],
    [{ ...LAB, SLURM_TASKS_PER_NODE: "4,x" }, /SLURM_TASKS_PER_NODE: not a Slurm count list/],
    [{ ...LAB, SLURM_JOB_CPUS_PER_NODE: "4(x2)" }, /3 nodes, SLURM_JOB_CPUS_PER_NODE 2/],
  ];
  for (const [env, re] of bad) {
    assert.throws(() => read(env), (e: Error) => e instanceof SlurmEnvError && re.test(e.message));
  }
});
