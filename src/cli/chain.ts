/**
 * `--chain`: a long run that submits its own continuation. When draining starts, the link
 * submits `sbatch <the same options> --dependency=afterany:<this job> --wrap '<disbatch
 * --link-of P ...>'`; at its end it keeps that job only if work is left and this link made
 * progress, and cancels it otherwise. Every step is a line of the chain file beside the first
 * prefix (src/protocol/chain_file.ts), which `--wait P` and `--state P` follow.
 * @module
 */
import type { RunOutcome } from "../driver/driver.ts";
import { linkPrefix } from "../driver/chain_links.ts";
import { errorMessage } from "../log/error_message.ts";
import { type ChainLink, chainRecord } from "../protocol/chain_file.ts";
import { runFiles } from "../protocol/run_files.ts";
import { RunFileError } from "../log/run_file_error.ts";
import type { CommandRunner } from "../sched/job_end_time.ts";
import type { DriverOptions } from "./parse_args.ts";

/** Why these options cannot make a chain (a usage error's text), or null. */
export function chainProblem(o: DriverOptions, jobId: string | null): string | null {
  if (!o.chain) return o.chainMax === null ? null : "argument --chain-max: needs --chain";
  if (o.drainBefore === null) {
    return "argument --chain: needs --drain-before SECONDS (when to submit the next job)";
  }
  if (o.retry) {
    return "argument --chain: not allowed with -R/--retry (each link would run again the " +
      "tasks that failed for good in earlier links)";
  }
  if (o.taskfile === "-") return "argument --chain: the task file cannot be stdin";
  if (o.sbatch === null && jobId === null) {
    return "argument --chain: not in a Slurm job (SLURM_JOB_ID is not set); use it in a " +
      "job's script or with --sbatch";
  }
  return null;
}

/**
 * The sbatch options of a job started without `--sbatch`, from its environment and its time
 * limit (`squeue -o %l`): nodes, tasks, cores per task, tasks per node, partition, account,
 * QOS and name. Anything else (memory, GPUs, constraints) is not known: use --sbatch for those.
 */
export function jobSbatchWords(
  env: (name: string) => string | undefined,
  timeLimit: string | null,
): string[] {
  const words: string[] = [];
  const add = (option: string, name: string) => {
    const v = env(name);
    if (v) words.push(`${option}=${v}`);
  };
  add("--nodes", "SLURM_JOB_NUM_NODES");
  add("--ntasks", "SLURM_NTASKS");
  add("--cpus-per-task", "SLURM_CPUS_PER_TASK");
  add("--ntasks-per-node", "SLURM_NTASKS_PER_NODE");
  add("--partition", "SLURM_JOB_PARTITION");
  add("--account", "SLURM_JOB_ACCOUNT");
  add("--qos", "SLURM_JOB_QOS");
  add("--job-name", "SLURM_JOB_NAME");
  const t = timeLimit?.trim();
  if (t && /^[\d:-]+$/.test(t)) words.push(`--time=${t}`);
  return words;
}

/** The argv of sbatch for the continuation of job `jobId` that runs `command`. */
export function continuationArgv(words: string[], jobId: string, command: string): string[] {
  return [...words, "--parsable", `--dependency=afterany:${jobId}`, "--wrap", command];
}

/** What one link of a chain needs to know. */
export interface ChainSetup {
  /** The first prefix of the chain. */
  root: string;
  /** This link: its number, its job and its prefix. */
  link: ChainLink;
  /** `--chain-max`. */
  max: number | null;
  /** The sbatch options of the next job (resolved when it is submitted). */
  words: () => Promise<string[]>;
  /** The command the next job runs. */
  command: string;
  run: CommandRunner;
  log: { info(m: string): void; warn(m: string): void };
}

/** One link's part of the chain (see module doc). */
export class ChainLinker {
  readonly #s: ChainSetup;
  #next: Promise<string | null> | null = null;
  #why: string | null = null;

  constructor(setup: ChainSetup) {
    this.#s = setup;
  }

  #record(line: string): void {
    const path = runFiles.chain(this.#s.root);
    try {
      Deno.writeTextFileSync(path, line, { append: true });
    } catch (e) {
      const why = new RunFileError(path, e).message;
      this.#s.log.warn(`${why}; --wait and --state cannot follow the chain`);
    }
  }

  /** The link has started: it is recorded in the chain file. */
  start(): void {
    this.#record(chainRecord({ t: "link", link: this.#s.link }));
  }

  /** Draining has started: submit the next link (once). */
  submit(): void {
    this.#next ??= this.#submit();
  }

  async #submit(): Promise<string | null> {
    const { link, max, run, log } = this.#s;
    if (max !== null && link.n >= max) {
      this.#why = `the chain has ${link.n} jobs, its --chain-max`;
      log.info(`chain: ${this.#why}; no next job`);
      return null;
    }
    try {
      const argv = continuationArgv(await this.#s.words(), link.jobId, this.#s.command);
      const r = await run("sbatch", argv);
      const id = r.stdout.trim().split(";")[0];
      if (r.code !== 0 || !/^\d+$/.test(id)) {
        throw new Error(`sbatch exited with ${r.code}: ${(r.stderr || r.stdout).trim()}`);
      }
      log.info(`chain: submitted job ${id}: sbatch ${argv.join(" ")}`);
      this.#record(chainRecord({ t: "next", jobId: id }));
      return id;
    } catch (e) {
      this.#why = `cannot submit the next job: ${errorMessage(e)}`;
      log.warn(`chain: ${this.#why}`);
      return null;
    }
  }

  /**
   * The run has ended: keeps the next job only when work is left and this link finished some
   * (a task longer than a whole job would otherwise be chained for ever). Returns what to tell:
   * the next job and its prefix, or why there is none (null: the chain ended normally).
   */
  async finish(
    outcome: RunOutcome,
    finished: number,
  ): Promise<{ next: string; prefix: string } | { why: string } | null> {
    const id = await this.#next;
    const keep = outcome.resumable === true && finished > 0;
    if (id !== null && id !== undefined && keep) {
      return { next: id, prefix: linkPrefix(this.#s.root, this.#s.link.n + 1) };
    }
    if (id) {
      const r = await this.#s.run("scancel", [id]).catch((e) => ({
        code: -1,
        stderr: errorMessage(e),
      }));
      if (r.code !== 0) this.#s.log.warn(`chain: cannot cancel job ${id}: ${r.stderr.trim()}`);
      else this.#s.log.info(`chain: cancelled job ${id}`);
      this.#record(chainRecord({ t: "cancelled", jobId: id }));
    }
    if (!outcome.resumable) return null;
    if (finished === 0) return { why: "this job finished no task, so the chain stops" };
    return { why: this.#why ?? "draining did not start" };
  }
}
