/**
 * The driver options of runs longer than one Slurm allocation (`--drain-before`, `--link-of`,
 * `--chain`, `--chain-max` and the hidden `--chain-sbatch`), apart from the compatible options
 * of parse_args.ts.
 * @module
 */
import type { OptionSpec } from "./arg_parser.ts";
import { intAtLeast, NON_NEGATIVE_NUMBER, WORDS } from "./value_types.ts";

/** Marks the help of an option disBatch 3 does not have. */
export const EXTENSION_MARK = "[disbatch] ";
const EXTENSION = EXTENSION_MARK;

/** The long-run options, in the order `--help` lists them. */
export const LONG_RUN_OPTIONS: OptionSpec[] = [
  {
    flags: ["--drain-before"],
    dest: "drainBefore",
    kind: "value",
    type: NON_NEGATIVE_NUMBER,
    metavar: "SECONDS",
    help: EXTENSION +
      "In a Slurm job: start no task once less than SECONDS remain before the job's end; " +
      "tasks still running 30 s before the end are stopped, and the run exits 75 and prints " +
      "the command that resumes it.",
  },
  {
    flags: ["--link-of"],
    dest: "linkOf",
    kind: "value",
    metavar: "PREFIX",
    help: EXTENSION +
      "Continue the run whose first prefix is PREFIX (the command --drain-before prints): " +
      "read the status files of PREFIX and of every PREFIX_linkN as with -r, and use the " +
      "next PREFIX_linkN as this run's prefix (-p is ignored).",
  },
  {
    flags: ["--chain"],
    dest: "chain",
    kind: "flag",
    help: EXTENSION +
      "With --drain-before, in a Slurm job or with --sbatch: when draining starts, submit " +
      "the job that continues the run (--link-of), with the same sbatch options.",
  },
  {
    flags: ["--chain-max"],
    dest: "chainMax",
    kind: "value",
    type: intAtLeast(1),
    metavar: "N",
    help: EXTENSION + "With --chain: at most N jobs in the chain (default: no bound).",
  },
  // --sbatch ... --chain passes its sbatch options to the job this way.
  { flags: ["--chain-sbatch"], dest: "chainSbatch", kind: "value", type: WORDS, help: null },
];
