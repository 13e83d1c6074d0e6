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
import { parseContextArgs, UsageError, usageErrorOutput } from "./parse_args.ts";
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
    if (e instanceof UsageError) {
      const out = usageErrorOutput(e);
      if (out.stdout) Deno.stdout.writeSync(new TextEncoder().encode(out.stdout));
      if (out.stderr) Deno.stderr.writeSync(new TextEncoder().encode(out.stderr));
      return out.exitCode;
    }
    throw e;
  }
  if ("help" in o) {
    Deno.stdout.writeSync(new TextEncoder().encode(o.help));
    return 0;
  }
  const loglevel = takeLogLevel();
  if (o.gpu) console.error("-g/--gpu is deprecated. It is no longer needed and will be ignored.");
  try {
    return await runContext({
      dbUtil,
      contextTaskLimit: o.contextTaskLimit,
      cpusPerTask: o.cpusPerTask,
      tasksPerNode: o.tasksPerNode,
      envResource: o.envResource,
      fill: o.fill,
      retireCmd: o.retireCmd,
      label: o.label,
      sshNode: o.sshNode,
      loglevel,
    }, { warn: (line) => console.error(line) });
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
