/**
 * A command-line problem of any role, printed by print_usage_error.ts.
 * @module
 */

/** The driver's one-line usage, shown under its usage errors (the full one is in `--help`). */
export const DRIVER_USAGE = "usage: disbatch [options] TASKFILE";
/** Where to read more, the last line of a driver or client-command usage error. */
export const DRIVER_HINT = "Try 'disbatch --help'.";

/** A command-line problem: always exit 2 (EXIT_USAGE), before anything runs. */
export class UsageError extends Error {
  /** The command's one-line usage (`usage: …`). */
  readonly usage: string;
  /** The line that says where to read more (`Try '… --help'.`). */
  readonly hint: string;

  /** `message` is the text after `disbatch: error: `. */
  constructor(message: string, opts: { usage?: string; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "UsageError";
    this.usage = opts.usage ?? DRIVER_USAGE;
    this.hint = opts.hint ?? DRIVER_HINT;
  }
}
