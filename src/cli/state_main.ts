/**
 * `disbatch --state P` prints a JSON snapshot of a running or finished run;
 * `disbatch --wait P` waits for a run to end and exits with its exit code (for scripts and
 * `sbatch --dependency` chains). P is the run's prefix or its `P_dbUtil.sh`.
 * @module
 */
import { fetchState, openRun, RunNotFoundError, watchRun } from "../monitor/run_client.ts";
import { parseStatusLine } from "../status/status_line.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";

/** Summary of a finished run, from its status file. */
async function finishedState(prefix: string, exitCode: number | null) {
  let text = "";
  try {
    text = await Deno.readTextFile(`${prefix}_status.txt`);
  } catch {
    // no status file: nothing ran
  }
  let done = 0, failed = 0, skipped = 0, barriers = 0;
  const failedIds: number[] = [];
  for (const line of text.split("\n")) {
    const r = line ? parseStatusLine(line) : null;
    if (!r) continue;
    if (r.kind === "B" || r.kind === "C") barriers++;
    if (r.kind !== "N" && r.kind !== "S") continue;
    done++;
    if (r.kind === "S") skipped++;
    if (r.rc !== 0) {
      failed++;
      if (failedIds.length < 1000) failedIds.push(r.taskId);
    }
  }
  return { prefix, finished: true, exitCode, done, failed, skipped, barriers, failedIds };
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
  let run;
  try {
    run = await openRun(target);
  } catch (e) {
    console.error(`disbatch: error: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  const prefix = run.creds.prefix;
  if (run.exitCode === null) {
    try {
      if (!wait) {
        console.log(JSON.stringify(await fetchState(run), null, 2));
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
  if (wait) return run.exitCode ?? EXIT_FAILED;
  console.log(JSON.stringify(await finishedState(prefix, run.exitCode), null, 2));
  return EXIT_OK;
}
