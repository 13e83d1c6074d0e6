/**
 * `disbatch --context <P_dbUtil.sh> [context options]`: what `P_dbUtil.sh` runs to add
 * execution resources to a running driver (spec §8.1).
 * @module
 */
import { type ContextConfig, ContextError, runContext } from "../context/context.ts";
import { NodeListError } from "../context/node_slots.ts";
import { NoEnvironmentError } from "../context/host_source.ts";
import { SlurmEnvError } from "../context/slurm_allocation.ts";
import { SlurmSlotsError } from "../context/slurm_slots.ts";
import { SrunOptionsError } from "../context/srun_env.ts";
import { ConnectError } from "../net/connect.ts";
import type { LogLevel } from "../log/logger.ts";
import { writeAllSync } from "../log/write_all_sync.ts";
import { errorMessage } from "../log/error_message.ts";
import { parseContextArgs, UsageError } from "./parse_args.ts";
import { printUsageError } from "./print_usage_error.ts";
import { EXIT_FAILED, EXIT_USAGE } from "./exit_codes.ts";
import { runFiles } from "../protocol/run_files.ts";
import type { Connection } from "../net/connection.ts";
import { startEngineInDriver } from "./engine_in_driver.ts";

/** Set to 1, a plain local run starts its engine as a process of its own (README). */
export const ENGINE_PROCESS_VAR = "DISBATCH_ENGINE_PROCESS";

/** Entry of the context role. */
export async function contextMain(argv: string[]): Promise<number> {
  const [dbUtil, ...rest] = argv;
  if (!dbUtil) {
    console.error("disbatch --context: missing the helper script path");
    return EXIT_USAGE;
  }
  let o;
  try {
    o = parseContextArgs(["--context", dbUtil, ...rest]);
  } catch (e) {
    if (e instanceof UsageError) return printUsageError(e);
    throw e;
  }
  if ("help" in o) {
    writeAllSync(Deno.stdout, o.help);
    return 0;
  }
  // A context added with P_dbUtil.sh logs at the default level (the driver's -l is its own).
  return await runContextRole({ ...o, dbUtil, loglevel: "INFO" }, (line) => {
    console.error(line);
  });
}

/**
 * The driver's auto-launched context (`P_dbUtil.sh <args>`, spec §8.1), run inside the driver
 * process instead of as a process of its own; resolves with the exit code that process would
 * have had. The files of the original's launch are still made (both stay empty, as they are
 * there: the context writes to its log), so a run leaves the same set of files.
 */
export async function runAutoContext(
  prefix: string,
  args: string[],
  loglevel: LogLevel,
  warn: (line: string) => void,
  engineConnection: () => Connection,
): Promise<number> {
  const dbUtil = runFiles.dbUtil(prefix);
  let o;
  try {
    for (const f of [runFiles.contextWrap(prefix), runFiles.contextLaunch(prefix, Deno.pid)]) {
      await Deno.writeFile(f, new Uint8Array(), { append: true });
    }
    o = parseContextArgs(["--context", dbUtil, ...args]);
    if ("help" in o) throw new Error("the driver's context arguments ask for help");
  } catch (e) {
    // The driver counts on an exit code, as it would get one from a context process.
    warn(`disbatch: context failed: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
  // DISBATCH_ENGINE_PROCESS=1: the local engine is a process of its own, as in the original.
  const engineInDriver = Deno.env.get(ENGINE_PROCESS_VAR) === "1"
    ? undefined
    : (argv: string[], wrap: string) => startEngineInDriver(argv, dbUtil, wrap, engineConnection);
  return await runContextRole({ ...o, dbUtil, loglevel, engineInDriver }, warn);
}

/** Runs a context; its known failures become one line and exit code 1. */
async function runContextRole(
  cfg: ContextConfig & { gpu: boolean },
  warn: (line: string) => void,
): Promise<number> {
  if (cfg.gpu) warn("-g/--gpu is deprecated. It is no longer needed and will be ignored.");
  try {
    return await runContext(cfg, { warn });
  } catch (e) {
    const known = [
      ContextError,
      NodeListError,
      NoEnvironmentError,
      SlurmEnvError,
      SlurmSlotsError,
      SrunOptionsError,
    ];
    if (known.some((k) => e instanceof k) || e instanceof ConnectError) {
      warn(`disbatch: ${errorMessage(e)}`);
      return EXIT_FAILED;
    }
    warn(`disbatch: context failed: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
}
