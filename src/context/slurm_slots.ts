/**
 * Cylinders and cores per node of a Slurm context (spec §9.4.1), plus the size of the srun
 * step that hosts each node's engine.
 * @module
 */
import { floatFloorDiv } from "./float_floor_div.ts";
import { pyFloatRepr } from "../status/py_float_repr.ts";

/** The Slurm environment does not describe the allocation consistently. */
export class SlurmSlotsError extends Error {
  override name = "SlurmSlotsError";
}

/** What the slot arithmetic needs. */
export interface SlurmSlotInput {
  nodes: string[];
  /** Expanded `SLURM_JOB_CPUS_PER_NODE`. */
  cpus: number[];
  /** Expanded `SLURM_TASKS_PER_NODE`. */
  tasks: number[];
  /** `-c` (possibly inherited from the run), -1 when not given. */
  cpusPerTask: number;
  /** `-t` (possibly inherited from the run), -1 when not given. */
  tasksPerNode: number;
  fill: boolean;
  env: (name: string) => string | undefined;
}

/** One node of a Slurm context. */
export interface SlurmNodeSlots {
  node: string;
  /** CPUs Slurm allocated to the job on this node. */
  cores: number;
  cylinders: number;
  /** `DISBATCH_CORES_PER_TASK` of the node's tasks. */
  coresPerCylinder: number;
  /** `srun -c` of the node's engine step (its one task holds every cylinder). */
  stepCpus: number;
}

/** Result of {@link slurmSlots}. */
export interface SlurmSlots {
  nodes: SlurmNodeSlots[];
  cpusPerTask: number;
  /** Lines for the terminal, each to be printed as `UserWarning: <line>`. */
  userWarnings: string[];
  /** Lines for the context log. */
  log: { level: "INFO" | "WARNING"; message: string }[];
}

function envInt(env: SlurmSlotInput["env"], name: string): number | null {
  const v = env(name);
  if (v === undefined || v === "") return null;
  if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new SlurmSlotsError(`${name} is not an integer: '${v}'`);
  return Number(v);
}

/**
 * The spec's rules: cpusPerTask = `-c`, else `SLURM_CPUS_PER_TASK`, else 1; tasksPerNode = `-t`,
 * else `SLURM_NTASKS_PER_NODE`; cylinders = tasksPerNode, else (`--fill` without GPU variables)
 * `cpus // cpusPerTask`, else `min(tasks, cpus // cpusPerTask)`; cores per cylinder =
 * `int(-c)` when `-c` was given, else `cpus // cylinders`.
 */
export function slurmSlots(input: SlurmSlotInput): SlurmSlots {
  const { nodes, cpus, tasks, env } = input;
  if (cpus.length !== nodes.length || tasks.length !== nodes.length) {
    throw new SlurmSlotsError(
      `${nodes.length} nodes but ${cpus.length} CPU counts and ${tasks.length} task counts`,
    );
  }
  const userWarnings: string[] = [];
  const log: SlurmSlots["log"] = [];
  const info = (message: string) => log.push({ level: "INFO", message });

  // `-c` and `-t` win over Slurm's variables: noted in the log, and warned of when they differ.
  const pick = (
    arg: string,
    given: number,
    name: string,
    unset: number,
    show: (n: number) => string = String,
  ) => {
    const slurm = envInt(env, name);
    if (given === -1) return slurm ?? unset;
    if (slurm !== null) {
      const [mine, theirs] = [`${arg} (${show(given)})`, `${name} (${env(name)})`];
      info(`Argument ${arg} is set to ${show(given)}, ignoring ${theirs}`);
      if (slurm !== given) {
        userWarnings.push(
          `disBatch argument ${mine} conflicts with ${theirs}. Using disBatch value.`,
        );
      }
    }
    return given;
  };
  const cGiven = input.cpusPerTask !== -1;
  const cpusPerTask = pick("cpusPerTask", input.cpusPerTask, "SLURM_CPUS_PER_TASK", 1, pyFloatRepr);
  const tasksPerNode = pick("tasksPerNode", input.tasksPerNode, "SLURM_NTASKS_PER_NODE", 0);

  const perCpu = (c: number) => Math.max(0, floatFloorDiv(c, cpusPerTask));
  let cylinders: number[];
  if (tasksPerNode > 0) {
    cylinders = nodes.map(() => tasksPerNode);
  } else {
    let fill = input.fill;
    const gpuVar = ["CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL"].find((n) => env(n) !== undefined);
    if (fill && gpuVar) {
      // GPUs are handed out per Slurm task; more cylinders than tasks would share them blindly.
      userWarnings.push(
        `--fill ignored because ${gpuVar} is set: with GPUs the cylinders follow SLURM_TASKS_PER_NODE.`,
      );
      fill = false;
    }
    if (fill) {
      log.push({ level: "WARNING", message: "Fill requested, ignoring SLURM_TASKS_PER_NODE." });
      cylinders = cpus.map(perCpu);
      info(`Cores per node: [${cpus}] /(${cpusPerTask} cores per task) -> [${cylinders}]`);
    } else {
      cylinders = cpus.map((c, i) => Math.min(tasks[i], perCpu(c)));
      info(`Tasks per node: [${tasks}] -> [${cylinders}], using ${cpusPerTask} cores per task.`);
    }
  }
  const stepPerCylinder = Math.max(1, Math.ceil(cpusPerTask));
  const out = nodes.map((node, i): SlurmNodeSlots => {
    const cyl = cylinders[i];
    if (cyl !== tasks[i]) {
      info(`Slurm believes tasks should be ${tasks[i]} on ${node}, attempting to run ${cyl}.`);
    }
    return {
      node,
      cores: cpus[i],
      cylinders: cyl,
      coresPerCylinder: cGiven
        ? Math.trunc(cpusPerTask)
        : cyl
        ? Math.floor(cpus[i] / cyl)
        : cpus[i],
      stepCpus: Math.max(1, Math.min(cpus[i], cyl * stepPerCylinder)),
    };
  });
  return { nodes: out, cpusPerTask, userWarnings, log };
}
