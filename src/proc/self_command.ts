/**
 * The argv that re-invokes this program (for engines, contexts and task servers started as
 * separate processes): the compiled binary itself, or `deno run` on the repository's main.ts.
 * @module
 */
import { fileURLToPath } from "node:url";

/** main.ts and deno.json sit at the repository root, two levels above src/proc/. */
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** `[program, …, ...args]` that runs disbatch with `args`. */
export function selfCommand(args: string[]): string[] {
  if (Deno.build.standalone) return [Deno.execPath(), ...args];
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-all",
    "--no-lock",
    "--config",
    CONFIG,
    MAIN,
    ...args,
  ];
}
