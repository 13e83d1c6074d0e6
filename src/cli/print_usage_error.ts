/**
 * How every command-line role reports a usage problem: three lines on stderr (what is wrong,
 * the command's one-line usage, where the help is) and exit 2. The full usage stays in `--help`.
 * @module
 */
import { writeAllSync } from "../log/write_all_sync.ts";
import { EXIT_USAGE } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";

/** The text {@link printUsageError} prints for `e`, ending with a newline. */
export function usageErrorText(e: UsageError): string {
  return `disbatch: error: ${e.message}\n${e.usage}\n${e.hint}\n`;
}

/**
 * Prints `e` on stderr and returns the exit code, 2. A string is a driver usage error (the
 * driver's usage and help hint).
 */
export function printUsageError(e: UsageError | string): number {
  writeAllSync(Deno.stderr, usageErrorText(typeof e === "string" ? new UsageError(e) : e));
  return EXIT_USAGE;
}
