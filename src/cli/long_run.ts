/**
 * The command line of runs longer than one Slurm allocation: `--drain-before` (where the job's
 * end comes from, the grace before it), `--link-of` (which link of a long run this is), and
 * what the driver prints when the job's end stopped it with work left.
 * @module
 */
import { ChainLinkError, type NextLink, nextLink } from "../driver/chain_links.ts";
import type { DriverConfig, RunOutcome } from "../driver/driver.ts";
import { resolve } from "../driver/posix_path.ts";
import { shellQuote } from "../protocol/db_util_script.ts";
import { prefixOf } from "../protocol/run_files.ts";
import { runCapture } from "../proc/spawn_child.ts";
import { selfCommand } from "../proc/self_command.ts";
import { type CommandRunner, readJobEnd } from "../sched/job_end_time.ts";
import { DEFAULT_WALL_GRACE_S, END_REFRESH_S } from "../sched/wall_clock.ts";
import type { DriverOptions } from "./parse_args.ts";
import { pyFloat } from "./value_types.ts";

/** squeue and scontrol get this long to answer (a busy controller may be slow). */
const SLURM_QUERY_MS = 20_000;

/** The Slurm job this process runs in, or null. */
export function slurmJobId(env: (name: string) => string | undefined): string | null {
  return env("SLURM_JOB_ID") || env("SLURM_JOBID") || null;
}

/**
 * Seconds before the job's end at which running tasks are stopped: 30, or
 * `DISBATCH_WALL_GRACE` (seconds, for tests and slow file systems).
 */
export function wallGrace(env: (name: string) => string | undefined): number {
  const v = pyFloat(env("DISBATCH_WALL_GRACE") ?? "");
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : DEFAULT_WALL_GRACE_S;
}

/** Runs squeue / scontrol, each bounded in time. */
export const slurmRunner: CommandRunner = (cmd, args) =>
  runCapture(cmd, args, { signal: AbortSignal.timeout(SLURM_QUERY_MS) });

/**
 * The driver's `wall` setting for these options. Outside a Slurm job `--drain-before` does
 * nothing (there is no end to drain before), so that the command a drained run prints resumes
 * it anywhere.
 */
export function wallConfig(
  o: DriverOptions,
  env: (name: string) => string | undefined,
  run: CommandRunner = slurmRunner,
): DriverConfig["wall"] {
  if (o.drainBefore === null || slurmJobId(env) === null) return null;
  return {
    settings: { drainBefore: o.drainBefore, grace: wallGrace(env), refreshEvery: END_REFRESH_S },
    readEnd: async (fresh) => (await readJobEnd(env, run, fresh)).end,
  };
}

/** `--link-of`: the first run's prefix (absolute) and this link; a usage error's text. */
export function chainLink(
  linkOf: string,
  exists: (path: string) => boolean,
): { root: string; link: NextLink } | string {
  const root = resolve(prefixOf(linkOf));
  try {
    return { root, link: nextLink(root, exists) };
  } catch (e) {
    if (e instanceof ChainLinkError) return e.message;
    throw e;
  }
}

/** Whether `path` exists (a file of any kind). */
export function fileExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The command that continues the long run whose first prefix is `root` (`argv`: this run's). */
export function resumeCommand(root: string, argv: string[], linkOf: string | null): string {
  const args = linkOf === null ? ["--link-of", root, ...argv] : argv;
  return selfCommand(args).map(shellQuote).join(" ");
}

/**
 * The stderr lines of a run that the job's end stopped with work left: how much is left, and
 * the job that goes on with it (`--chain`), or the command that resumes it (and, with
 * `--chain`, why no job goes on).
 */
export function wallAdvice(
  outcome: RunOutcome,
  unread: number,
  command: string,
  chain: { next: string; prefix: string } | { why: string } | null = null,
): string[] {
  const left = outcome.unrun + (outcome.wallStopped ?? 0) + unread;
  const stopped = outcome.wallStopped ? ` (${outcome.wallStopped} stopped at the job's end)` : "";
  const head = `disbatch: the Slurm job's time limit is near: ${left} task(s) left${stopped}; `;
  if (chain && "next" in chain) {
    return [`${head}the run goes on in job ${chain.next} (prefix ${chain.prefix})`];
  }
  return [
    `${head}this run is incomplete, resume it with:`,
    `   ${command}`,
    ...(chain ? [`disbatch: --chain: no next job: ${chain.why}`] : []),
  ];
}
