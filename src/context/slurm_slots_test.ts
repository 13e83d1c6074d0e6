import assert from "node:assert/strict";
import { type SlurmSlotInput, slurmSlots, SlurmSlotsError } from "./slurm_slots.ts";
import { decodeSlurmCounts } from "./slurm_counts.ts";
import { expandHostlist } from "./hostlist.ts";

/** The spec's base environment (§9.4.1) plus `env` and options. */
function run(
  env: Record<string, string>,
  opts: Partial<Pick<SlurmSlotInput, "cpusPerTask" | "tasksPerNode" | "fill">> = {},
) {
  const all: Record<string, string> = {
    SLURM_NODELIST: "worker[2080,5071-5072,5422]",
    SLURM_JOB_CPUS_PER_NODE: "40,128(x3)",
    SLURM_TASKS_PER_NODE: "3(x4)",
    ...env,
  };
  return slurmSlots({
    nodes: expandHostlist(all.SLURM_NODELIST),
    cpus: decodeSlurmCounts(all.SLURM_JOB_CPUS_PER_NODE),
    tasks: decodeSlurmCounts(all.SLURM_TASKS_PER_NODE),
    cpusPerTask: opts.cpusPerTask ?? -1,
    tasksPerNode: opts.tasksPerNode ?? -1,
    fill: opts.fill ?? false,
    env: (n) => all[n],
  });
}

const cyl = (r: ReturnType<typeof run>) => r.nodes.map((n) => n.cylinders);
const cores = (r: ReturnType<typeof run>) => r.nodes.map((n) => n.coresPerCylinder);

Deno.test("slurmSlots reproduces the 12 rows of the spec's table", () => {
  const rows: [string, ReturnType<typeof run>, number[], number[]][] = [
    [
      "SLURM_CPUS_PER_TASK=5 SLURM_NTASKS_PER_NODE=3",
      run({ SLURM_CPUS_PER_TASK: "5", SLURM_NTASKS_PER_NODE: "3" }),
      [3, 3, 3, 3],
      [13, 42, 42, 42],
    ],
    ["none", run({}), [3, 3, 3, 3], [13, 42, 42, 42]],
    ["-c 2", run({}, { cpusPerTask: 2 }), [3, 3, 3, 3], [2, 2, 2, 2]],
    ["-c 0.5", run({}, { cpusPerTask: 0.5 }), [3, 3, 3, 3], [0, 0, 0, 0]],
    ["-c 16", run({}, { cpusPerTask: 16 }), [2, 3, 3, 3], [16, 16, 16, 16]],
    [
      "SLURM_CPUS_PER_TASK=5 --fill",
      run({ SLURM_CPUS_PER_TASK: "5" }, { fill: true }),
      [8, 25, 25, 25],
      [5, 5, 5, 5],
    ],
    [
      "CUDA_VISIBLE_DEVICES=0,1 --fill",
      run({ CUDA_VISIBLE_DEVICES: "0,1" }, { fill: true }),
      [3, 3, 3, 3],
      [13, 42, 42, 42],
    ],
    [
      "SLURM_NTASKS_PER_NODE=3 -t 7",
      run({ SLURM_NTASKS_PER_NODE: "3" }, { tasksPerNode: 7 }),
      [7, 7, 7, 7],
      [5, 18, 18, 18],
    ],
    ["SLURM_NTASKS_PER_NODE=2", run({ SLURM_NTASKS_PER_NODE: "2" }), [2, 2, 2, 2], [
      20,
      64,
      64,
      64,
    ]],
    ["SLURM_TASKS_PER_NODE=2,1(x3)", run({ SLURM_TASKS_PER_NODE: "2,1(x3)" }), [2, 1, 1, 1], [
      20,
      128,
      128,
      128,
    ]],
    [
      "single node, cpus 4, tasks 4, -c 3",
      run({ SLURM_NODELIST: "n1", SLURM_JOB_CPUS_PER_NODE: "4", SLURM_TASKS_PER_NODE: "4" }, {
        cpusPerTask: 3,
      }),
      [1],
      [3],
    ],
    [
      "single node, cpus 2, tasks 2, -c 3",
      run({ SLURM_NODELIST: "n1", SLURM_JOB_CPUS_PER_NODE: "2", SLURM_TASKS_PER_NODE: "2" }, {
        cpusPerTask: 3,
      }),
      [0],
      [3],
    ],
  ];
  for (const [name, r, wantCyl, wantCores] of rows) {
    assert.deepEqual([cyl(r), cores(r)], [wantCyl, wantCores], name);
  }
});

Deno.test("slurmSlots warnings: -c/-t against the Slurm variables (T51)", () => {
  const env = {
    SLURM_NODELIST: "n1",
    SLURM_JOB_CPUS_PER_NODE: "8",
    SLURM_TASKS_PER_NODE: "4",
    SLURM_CPUS_PER_TASK: "2",
    SLURM_NTASKS_PER_NODE: "4",
  };
  const r = run(env, { cpusPerTask: 3, tasksPerNode: 2 });
  assert.deepEqual(r.userWarnings, [
    "disBatch argument cpusPerTask (3.0) conflicts with SLURM_CPUS_PER_TASK (2). Using disBatch value.",
    "disBatch argument tasksPerNode (2) conflicts with SLURM_NTASKS_PER_NODE (4). Using disBatch value.",
  ]);
  assert.deepEqual([cyl(r), cores(r), r.nodes[0].stepCpus], [[2], [3], 6]);
  assert.ok(r.log.some((l) => l.message.startsWith("Argument cpusPerTask is set to 3.0")));
  // Equal values are not a conflict.
  assert.deepEqual(run(env, { cpusPerTask: 2, tasksPerNode: 4 }).userWarnings, []);
});

Deno.test("slurmSlots --fill: logged, and ignored with a GPU variable", () => {
  const fill = run({ SLURM_CPUS_PER_TASK: "5" }, { fill: true });
  assert.deepEqual(fill.userWarnings, []);
  assert.ok(fill.log.some((l) => l.level === "WARNING" && l.message.startsWith("Fill requested")));
  const gpu = run({ GPU_DEVICE_ORDINAL: "0" }, { fill: true });
  assert.equal(gpu.userWarnings.length, 1);
  assert.match(gpu.userWarnings[0], /--fill ignored because GPU_DEVICE_ORDINAL is set/);
});

Deno.test("slurmSlots sizes the engine step: cylinders × max(1, ceil(c)), capped by the CPUs", () => {
  const step = (r: ReturnType<typeof run>) => r.nodes.map((n) => n.stepCpus);
  assert.deepEqual(step(run({})), [3, 3, 3, 3]);
  assert.deepEqual(step(run({}, { cpusPerTask: 0.5 })), [3, 3, 3, 3]);
  assert.deepEqual(step(run({}, { cpusPerTask: 2.5 })), [9, 9, 9, 9]);
  assert.deepEqual(step(run({}, { cpusPerTask: 16 })), [32, 48, 48, 48]);
  assert.deepEqual(step(run({ SLURM_TASKS_PER_NODE: "3(x4)" }, { tasksPerNode: 50 })), [
    40,
    50,
    50,
    50,
  ]);
  // The lab's `sbatch -N 3 -n 6`.
  const lab = slurmSlots({
    nodes: ["n1", "n2", "n3"],
    cpus: [4, 1, 1],
    tasks: [4, 1, 1],
    cpusPerTask: -1,
    tasksPerNode: -1,
    fill: false,
    env: () => undefined,
  });
  assert.deepEqual(lab.nodes.map((n) => [n.cylinders, n.coresPerCylinder, n.stepCpus]), [
    [4, 1, 4],
    [1, 1, 1],
    [1, 1, 1],
  ]);
});

Deno.test("slurmSlots rejects inconsistent input", () => {
  assert.throws(() => run({ SLURM_JOB_CPUS_PER_NODE: "4(x2)" }), SlurmSlotsError);
  assert.throws(() => run({ SLURM_CPUS_PER_TASK: "two" }), SlurmSlotsError);
});
