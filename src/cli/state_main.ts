/**
 * `disbatch --state P` prints a JSON snapshot of a running or finished run;
 * `disbatch --wait P` waits for a run to end and exits with its exit code (for scripts and
 * `sbatch --dependency` chains). P is the run's prefix or its `P_dbUtil.sh`.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { finishedState } from "../monitor/finished_state.ts";
import {
  fetchState,
  openRun,
  type RunHandle,
  RunNotFoundError,
  watchRun,
} from "../monitor/run_client.ts";
import { EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";
import { prefixOf, runFiles } from "../protocol/run_files.ts";
import { type Chain, parseChain } from "../protocol/chain_file.ts";
import { slurmRunner } from "./long_run.ts";

/** The recorded final state of a finished run, or what its status file tells. */
async function endState(run: RunHandle, exitCode: number) {
  if (run.finalState) return run.finalState;
  const prefix = run.creds.prefix;
  let text = "";
  try {
    text = await Deno.readTextFile(runFiles.status(prefix));
  } catch {
    // no status file: nothing ran
  }
  return finishedState({ prefix, driverHost: run.creds.driverHost, exitCode }, text);
}

/** Entry of `--state` (`wait` false) and `--wait` (`wait` true). */
export async function stateMain(argv: string[], wait: boolean): Promise<number> {
  const target = argv[0];
  if (!target || argv.length > 1) {
    return printUsageError(
      new UsageError(
        target ? `unrecognized arguments: ${argv.slice(1).join(" ")}` : "no run given",
        {
          usage: `usage: disbatch ${wait ? "--wait" : "--state"} PREFIX|P_dbUtil.sh`,
        },
      ),
    );
  }
  const chainPath = runFiles.chain(prefixOf(target));
  let chainText: string | null = null;
  try {
    chainText = await Deno.readTextFile(chainPath);
  } catch {
    // not a chain: one run
  }
  if (chainText !== null) return await followChain(chainPath, chainText, wait);
  return await oneRun(target, wait, null);
}

/**
 * `--state` / `--wait` of one run; `chain`: the chain it is the last link of, printed with
 * its state.
 */
async function oneRun(target: string, wait: boolean, chain: Chain | null): Promise<number> {
  const show = (state: unknown) =>
    console.log(JSON.stringify(chain ? { ...state as object, chain } : state, null, 2));
  let run;
  try {
    run = await openRun(target);
  } catch (e) {
    console.error(`disbatch: error: ${errorMessage(e)}`);
    return EXIT_USAGE;
  }
  const prefix = run.creds.prefix;
  if (run.exitCode === null) {
    try {
      if (!wait) {
        show(await fetchState(run));
        return EXIT_OK;
      }
      const code = await watchRun(run);
      if (code !== null) return code;
      run = await openRun(target);
    } catch (e) {
      if (!(e instanceof RunNotFoundError)) throw e;
      run = await openRun(target);
      if (run.exitCode === null) {
        console.error(
          `disbatch: error: the run ${prefix} has no driver and did not record an exit code (killed?)`,
        );
        return EXIT_FAILED;
      }
    }
  }
  if (run.exitCode === null) return EXIT_FAILED;
  if (wait) return run.exitCode;
  show(await endState(run, run.exitCode));
  return EXIT_OK;
}

/** How often `--wait` looks for the next link of a chain, and asks squeue about its job. */
const LINK_POLL_MS = 1_000;
const JOB_POLL_EVERY = 5;

/**
 * `--state` / `--wait` of a chain (`--chain`, README "Long runs"): the state of its last link
 * that started (with the chain's links and pending job); waiting goes from link to link for as
 * long as each ends incomplete (75) with a next job, and ends with the exit code of the last.
 */
async function followChain(path: string, text: string, wait: boolean): Promise<number> {
  let chain = parseChain(text);
  for (;;) {
    const last = chain.links.at(-1);
    if (!last) {
      console.error(`disbatch: error: ${path} lists no run`);
      return EXIT_USAGE;
    }
    if (!wait) return await oneRun(last.prefix, false, chain);
    const count = chain.links.length;
    const code = await oneRun(last.prefix, true, null);
    // A link records its next job before it ends.
    chain = parseChain(await Deno.readTextFile(path));
    if (chain.links.length > count) continue;
    if (code !== EXIT_INCOMPLETE || chain.next === null) return code;
    const next = await nextLinkStarted(path, chain.links.length, chain.next);
    if (next === null) {
      console.error(
        `disbatch: error: job ${chain.next}, the next link of the chain, ended without starting`,
      );
      return EXIT_FAILED;
    }
    chain = next;
  }
}

/** Waits for link `count + 1` to start; null when its job leaves the queue first. */
async function nextLinkStarted(path: string, count: number, jobId: string): Promise<Chain | null> {
  for (let i = 1;; i++) {
    await new Promise((r) => setTimeout(r, LINK_POLL_MS));
    const chain = parseChain(await Deno.readTextFile(path));
    if (chain.links.length > count) return chain;
    if (chain.next !== jobId) return null; // cancelled
    if (i % JOB_POLL_EVERY === 0 && !(await jobQueued(jobId))) {
      // It may have started just now: look once more.
      const again = parseChain(await Deno.readTextFile(path));
      return again.links.length > count ? again : null;
    }
  }
}

/** Whether Slurm still lists the job (true when squeue cannot tell). */
async function jobQueued(jobId: string): Promise<boolean> {
  try {
    const r = await slurmRunner("squeue", ["-h", "-j", jobId, "-o", "%T"]);
    if (r.code !== 0) return !/Invalid job id/i.test(r.stderr);
    return r.stdout.trim() !== "";
  } catch {
    return true;
  }
}
