import assert from "node:assert/strict";
import { engineCapacity, memTotalMiB } from "./engine_capacity.ts";

const envOf = (vars: Record<string, string>) => (n: string) => vars[n];
const MEMINFO = "MemTotal:       16303916 kB\nMemFree:         1234 kB\n";

Deno.test("cores are cylinders times cores per cylinder (at least one each)", () => {
  assert.equal(engineCapacity(4, 2, [], envOf({}), null).cores, 8);
  assert.equal(engineCapacity(10, 0, [], envOf({}), null).cores, 10);
  assert.equal(engineCapacity(3, 4, [], envOf({}), null).slotCores, 4);
});

Deno.test("GPU ids: the first -E variable, else CUDA_VISIBLE_DEVICES, else Slurm's", () => {
  const all = { MY_GPUS: "4,5,6", CUDA_VISIBLE_DEVICES: "0,1", SLURM_JOB_GPUS: "2,3" };
  const e = engineCapacity(3, 1, ["UNSET,MY_GPUS"], envOf(all), null);
  assert.deepEqual([e.gpus, e.gpuVar, e.slotGpus], [["4", "5", "6"], "MY_GPUS", 1]);
  const c = engineCapacity(3, 1, [], envOf(all), null);
  assert.deepEqual([c.gpus, c.gpuVar, c.slotGpus], [["0", "1"], "CUDA_VISIBLE_DEVICES", 0]);
  const s = engineCapacity(3, 1, [], envOf({ SLURM_JOB_GPUS: "2,3" }), null);
  assert.deepEqual([s.gpus, s.gpuVar], [["2", "3"], "CUDA_VISIBLE_DEVICES"]);
  const step = engineCapacity(3, 1, [], envOf({ SLURM_STEP_GPUS: "7", SLURM_JOB_GPUS: "2" }), null);
  assert.deepEqual(step.gpus, ["7"]);
  const none = engineCapacity(3, 1, [], envOf({ CUDA_VISIBLE_DEVICES: "NoDevFiles" }), null);
  assert.deepEqual([none.gpus, none.slotGpus], [[], 0]);
  assert.deepEqual(engineCapacity(3, 1, [], envOf({}), null).gpus, []);
});

Deno.test("memory: Slurm's per-node memory, else MemTotal, else 0", () => {
  assert.equal(memTotalMiB(MEMINFO), 15921);
  assert.equal(memTotalMiB("nothing"), 0);
  assert.equal(engineCapacity(1, 1, [], envOf({}), MEMINFO).memMiB, 15921);
  assert.equal(
    engineCapacity(1, 1, [], envOf({ SLURM_MEM_PER_NODE: "4000" }), MEMINFO).memMiB,
    4000,
  );
  assert.equal(engineCapacity(1, 1, [], envOf({ SLURM_MEM_PER_NODE: "x" }), MEMINFO).memMiB, 15921);
  assert.equal(engineCapacity(1, 1, [], envOf({}), null).memMiB, 0);
});
