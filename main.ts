/**
 * disbatch: run a file of shell command lines N at a time, on local cores, SSH hosts or a
 * Slurm allocation. This entry point only hands argv to the role dispatcher.
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exitCode = await main(Deno.args);
