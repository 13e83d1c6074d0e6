/**
 * Role dispatch: the first argument selects the engine, context or monitor role, or a client
 * command (`--state`, `--wait`, `--submit`, `--report`, `--output`); anything else is the
 * driver (the command users type).
 *
 * Each role's code is imported only when that role runs: every run starts three processes
 * (driver, context, engine) one after the other, and loading all roles' modules cost each of
 * them ≈ 0.1 s before doing anything.
 * @module
 */
import { restoreCallerEnv, runMode } from "../proc/run_mode.ts";

/**
 * Ends a driver, context or engine process once its role returned. Each of them returns only
 * after its children have exited (tasks, engines, the context) and its files and connections
 * are closed, so nothing is left to wait for; exiting here skips the runtime's teardown
 * (≈ 4 ms measured), which the three processes otherwise pay one after the other at the end of
 * every run.
 */
function exitNow(code: number): never {
  Deno.exit(code);
}

/** Runs the role selected by `argv` and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // Only an installed launcher sets DENO_DIR for us: no file is read on a checkout's start-up.
  if (Deno.env.has("DENO_DIR")) restoreCallerEnv(Deno.env, runMode());
  switch (argv[0]) {
    case "--engine":
      return exitNow(await (await import("./engine_main.ts")).engineMain(argv.slice(1)));
    case "--context":
      return exitNow(await (await import("./context_main.ts")).contextMain(argv.slice(1)));
    case "--cleanup":
      return await (await import("./cleanup_main.ts")).cleanupMain(argv.slice(1));
    case "--state":
      return await (await import("./state_main.ts")).stateMain(argv.slice(1), false);
    case "--wait":
      return await (await import("./state_main.ts")).stateMain(argv.slice(1), true);
    case "--submit":
      return await (await import("./submit_main.ts")).submitMain(argv.slice(1));
    case "--output":
      return await (await import("./output_main.ts")).outputMain(argv.slice(1));
    case "--report":
      return await (await import("./report_main.ts")).reportMain(argv.slice(1));
    case "--mon":
      return await (await import("./monitor_main.ts")).monitorMain(argv.slice(1));
    default:
      return exitNow(await (await import("./driver_main.ts")).driverMain(argv));
  }
}
