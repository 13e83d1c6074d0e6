/**
 * How every command-line role reports a usage problem: argparse's layout on the terminal, and
 * the exit code that goes with it.
 * @module
 */
import { writeAllSync } from "../log/write_all_sync.ts";
import { UsageError, usageErrorOutput, usageLine } from "./parse_args.ts";

/**
 * Prints `e` as {@link usageErrorOutput} lays it out and returns its exit code. A string is a
 * driver usage error: the driver's usage, then `disbatch: error: <e>` (exit 2).
 */
export function printUsageError(e: UsageError | string): number {
  const out = usageErrorOutput(
    typeof e === "string" ? new UsageError(e, { usage: usageLine() }) : e,
  );
  if (out.stdout) writeAllSync(Deno.stdout, out.stdout);
  if (out.stderr) writeAllSync(Deno.stderr, out.stderr);
  return out.exitCode;
}
