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
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";
import { runFiles } from "../protocol/run_files.ts";

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
  if (run.exitCode === null) return EXIT_FAILED;
  if (wait) return run.exitCode;
  console.log(JSON.stringify(await endState(run, run.exitCode), null, 2));
  return EXIT_OK;
}
