/**
 * When the Slurm job this process runs in will be ended by its time limit, in epoch seconds:
 * `SLURM_JOB_END_TIME` where Slurm sets it (not 22.05), else what `squeue -h -j ID -o %e` or
 * `scontrol show job ID` report. A job's limit may be raised while it runs, so the driver asks
 * again now and then ({@link readJobEnd} with `fresh`). Pure: the command runner is injected.
 * @module
 */

/** How a command ran: its exit code and output (never throws for a non-zero exit). */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (it may throw when the command cannot be started). */
export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

/** The end time and where it came from (`null` end: the job has no time limit). */
export interface JobEnd {
  end: number | null;
  source: "SLURM_JOB_END_TIME" | "squeue" | "scontrol";
}

/** No end time could be read; `reasons` says why, source by source. */
export class JobEndError extends Error {
  override name = "JobEndError";
}

const NO_LIMIT = new Set(["", "N/A", "NONE", "UNKNOWN", "UNLIMITED", "INFINITE"]);

/**
 * A Slurm time stamp (`2026-12-04T16:58:52`, the local time of the machine that printed it) in
 * epoch seconds; null for Slurm's words for none (`N/A`, `Unknown`, ...). Throws on anything else.
 */
export function parseSlurmTime(text: string): number | null {
  const t = text.trim();
  if (NO_LIMIT.has(t.toUpperCase())) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(t);
  if (!m) throw new JobEndError(`not a Slurm time: ${JSON.stringify(t)}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}

/** The `EndTime=` of `scontrol show job` output (null: none). Throws when it has none. */
export function scontrolEndTime(text: string): number | null {
  const m = /(?:^|\s)EndTime=(\S*)/.exec(text);
  if (!m) throw new JobEndError("no EndTime= in scontrol's output");
  return parseSlurmTime(m[1]);
}

/** `SLURM_JOB_END_TIME` (epoch seconds), or undefined when unset or not a number. */
function envEndTime(env: (name: string) => string | undefined): number | undefined {
  const v = env("SLURM_JOB_END_TIME")?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

async function ask(
  run: CommandRunner,
  cmd: string,
  args: string[],
  parse: (out: string) => number | null,
): Promise<number | null> {
  let r: CommandResult;
  try {
    r = await run(cmd, args);
  } catch (e) {
    throw new JobEndError(`${cmd}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const first = (r.stderr.trim() || r.stdout.trim()).split("\n")[0];
  if (r.code !== 0) throw new JobEndError(`${cmd} exited with ${r.code}: ${first}`);
  return parse(r.stdout);
}

/**
 * The end of job `env("SLURM_JOB_ID")` (or `SLURM_JOBID`). `fresh`: skip `SLURM_JOB_END_TIME`,
 * which does not follow a raised limit. Throws {@link JobEndError} naming every failed source.
 */
export async function readJobEnd(
  env: (name: string) => string | undefined,
  run: CommandRunner,
  fresh = false,
): Promise<JobEnd> {
  const fromEnv = envEndTime(env);
  if (!fresh && fromEnv !== undefined) return { end: fromEnv, source: "SLURM_JOB_END_TIME" };
  const id = env("SLURM_JOB_ID") || env("SLURM_JOBID");
  if (!id) throw new JobEndError("not in a Slurm job (SLURM_JOB_ID is not set)");
  const reasons: string[] = [];
  try {
    const end = await ask(run, "squeue", ["-h", "-j", id, "-o", "%e"], (out) => {
      const line = out.trim();
      if (line === "") throw new JobEndError(`squeue does not list job ${id}`);
      return parseSlurmTime(line.split("\n")[0]);
    });
    return { end, source: "squeue" };
  } catch (e) {
    if (!(e instanceof JobEndError)) throw e;
    reasons.push(e.message);
  }
  try {
    const end = await ask(run, "scontrol", ["show", "job", id], scontrolEndTime);
    return { end, source: "scontrol" };
  } catch (e) {
    if (!(e instanceof JobEndError)) throw e;
    reasons.push(e.message);
  }
  if (fromEnv !== undefined) return { end: fromEnv, source: "SLURM_JOB_END_TIME" };
  throw new JobEndError(`cannot read the end time of job ${id}: ${reasons.join("; ")}`);
}
