/**
 * Role dispatch: the first argument selects the engine, context or monitor role, or a client
 * command (`--state`, `--wait`, `--submit`); anything else is the driver (the command users
 * type).
 * @module
 */
import { contextMain } from "./context_main.ts";
import { driverMain } from "./driver_main.ts";
import { engineMain } from "./engine_main.ts";
import { monitorMain } from "./monitor_main.ts";
import { stateMain } from "./state_main.ts";
import { cleanupMain } from "./cleanup_main.ts";
import { submitMain } from "./submit_main.ts";

/** Runs the role selected by `argv` and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case "--engine":
      return await engineMain(argv.slice(1));
    case "--context":
      return await contextMain(argv.slice(1));
    case "--cleanup":
      return await cleanupMain(argv.slice(1));
    case "--state":
      return await stateMain(argv.slice(1), false);
    case "--wait":
      return await stateMain(argv.slice(1), true);
    case "--submit":
      return await submitMain(argv.slice(1));
    case "--mon":
      return await monitorMain(argv.slice(1));
    default:
      return await driverMain(argv);
  }
}
