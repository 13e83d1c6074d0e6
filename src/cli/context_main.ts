/**
 * `disbatch --context <P_dbUtil.sh> [context options]`: what `P_dbUtil.sh` runs to add
 * execution resources to a running driver (spec §8.1).
 * @module
 */
import { ContextError, runContext } from "../context/context.ts";
import { NodeListError } from "../context/node_slots.ts";
import { SlurmEnvError } from "../context/slurm_allocation.ts";
import { SlurmSlotsError } from "../context/slurm_slots.ts";
import { SrunOptionsError } from "../context/srun_env.ts";
import { ConnectError } from "../net/connect.ts";
import type { LogLevel } from "../log/logger.ts";
import { writeAllSync } from "../log/write_all_sync.ts";
import { parseContextArgs, UsageError } from "./parse_args.ts";
import { printUsageError } from "./print_usage_error.ts";
import { EXIT_FAILED, EXIT_USAGE } from "./exit_codes.ts";

/**
 * The log level the driver hands its auto-launched context in `DISBATCH_LOGLEVEL`. The variable
 * is removed from this process so that it does not leak into engines, tasks and retire
 * commands (tasks see only the DISBATCH_ variables of spec §6.2); engines get `--loglevel`.
 */
function takeLogLevel(): LogLevel {
  const level = Deno.env.get("DISBATCH_LOGLEVEL") ?? "INFO";
  Deno.env.delete("DISBATCH_LOGLEVEL");
  return level as LogLevel;
}

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
  const loglevel = takeLogLevel();
  if (o.gpu) console.error("-g/--gpu is deprecated. It is no longer needed and will be ignored.");
  try {
    return await runContext({ ...o, dbUtil, loglevel }, { warn: (line) => console.error(line) });
  } catch (e) {
    const known = [ContextError, NodeListError, SlurmEnvError, SlurmSlotsError, SrunOptionsError];
    if (known.some((k) => e instanceof k) || e instanceof ConnectError) {
      console.error(`disbatch: ${(e as Error).message}`);
      return EXIT_FAILED;
    }
    console.error(`disbatch: context failed: ${(e as Error).message}`);
    return EXIT_FAILED;
  }
}
