/**
 * The argv that re-invokes this program (for engines, contexts and task servers started as
 * separate processes): the compiled binary itself, an installed version's own launcher, or
 * `deno run` on the checkout's main.ts. Every path is absolute, so the same argv works in an
 * `sbatch` job, through `srun` and over `ssh` on a shared filesystem; and it names this very
 * version, so engines that a run starts after an upgrade still run the version the run began with.
 * @module
 */
import { runMode } from "./run_mode.ts";

/**
 * main.ts and deno.json sit at the repository root, two levels above src/proc/. (Not
 * node:url's fileURLToPath: the first `node:` import costs a run ≈ 8 ms of start-up.)
 */
const MAIN = decodeURIComponent(new URL("../../main.ts", import.meta.url).pathname);
const CONFIG = decodeURIComponent(new URL("../../deno.json", import.meta.url).pathname);

/**
 * V8 flags of every disbatch process (also baked into the compiled binary by `deno task compile`
 * and passed by scripts/disbatch). A 1 MB young generation instead of up to 16 MB: the driver and
 * engine allocate a little per task and keep almost none of it, so a small nursery costs no
 * throughput and keeps ~7 MB of RSS off a long run (see bench/RESULTS.md).
 */
export const V8_FLAGS = "--max-semi-space-size=1";

/** `[program, …, ...args]` that runs disbatch with `args`. */
export function selfCommand(args: string[]): string[] {
  if (Deno.build.standalone) return [Deno.execPath(), ...args];
  const mode = runMode();
  if (mode.kind === "installed") return [mode.launcher, ...args];
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-all",
    `--v8-flags=${V8_FLAGS}`,
    "--no-lock",
    "--config",
    CONFIG,
    MAIN,
    ...args,
  ];
}
