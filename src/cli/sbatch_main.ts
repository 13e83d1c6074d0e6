/**
 * `disbatch --sbatch [sbatch options] -- [disbatch options] TASKFILE`: submits the run as a
 * Slurm batch job, `sbatch <options> --wrap '<this program> <disbatch options> TASKFILE'`.
 * Slurm refuses a binary as a batch script, so the job is a one-line shell script that runs
 * this program; inside the job, `SLURM_JOBID` makes its context a Slurm context.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { shellQuote } from "../protocol/db_util_script.ts";
import { selfCommand } from "../proc/self_command.ts";
import { EXIT_FAILED } from "./exit_codes.ts";
import { cannotOpenMessage, type DriverOptions } from "./parse_args.ts";
import { printUsageError } from "./print_usage_error.ts";
import { runInherit } from "../proc/spawn_child.ts";

/**
 * The job's disbatch arguments: `argv` without `--sbatch`, the sbatch `words` after it and the
 * `--` that ends them (`--sbatch` may be abbreviated, as argparse allows).
 */
export function jobArgs(argv: string[], words: string[]): string[] {
  const i = argv.findIndex((a) => a.length > 2 && a.startsWith("--") && "--sbatch".startsWith(a));
  if (i < 0) return argv;
  let end = i + 1 + words.length;
  if (argv[end] === "--") end++;
  return [...argv.slice(0, i), ...argv.slice(end)];
}

/**
 * The job's disbatch arguments ({@link jobArgs}); with `--chain`, led by `--chain-sbatch`, so
 * that the job submits its continuations with the same sbatch options.
 */
export function chainedJobArgs(argv: string[], words: string[], chain: boolean): string[] {
  const args = jobArgs(argv, words);
  return chain ? [`--chain-sbatch=${JSON.stringify(words)}`, ...args] : args;
}

/** The argv of sbatch: the user's options, then the wrapped command, every word shell-quoted. */
export function sbatchArgv(words: string[], self: string[], args: string[]): string[] {
  return [...words, "--wrap", [...self, ...args].map(shellQuote).join(" ")];
}

/** Submits the run; returns sbatch's exit code (its "Submitted batch job N" goes to stdout). */
export async function sbatchMain(argv: string[], o: DriverOptions): Promise<number> {
  if (o.taskfile === "-") return printUsageError("--sbatch cannot read the task file from stdin");
  if (o.taskfile !== null) {
    try {
      (await Deno.open(o.taskfile)).close();
    } catch (e) {
      return printUsageError(cannotOpenMessage(o.taskfile, e));
    }
  }
  const words = o.sbatch ?? [];
  const args = sbatchArgv(words, selfCommand([]), chainedJobArgs(argv, words, o.chain));
  try {
    return await runInherit("sbatch", args);
  } catch (e) {
    console.error(`disbatch: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
}
