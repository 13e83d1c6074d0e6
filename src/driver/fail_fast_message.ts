/**
 * The line `--fail-fast` prints when it stops a run: the original's words, then which task
 * failed, in the form of the BARRIER CHECK message.
 * @module
 */
import { quoteLine } from "../taskfile/quote_line.ts";

/** A failed task as fail-fast reports it. */
export interface FailedTask {
  /** `task <id>`, or `PERENGINE START <n>` / `PERENGINE STOP <n>`. */
  what: string;
  line: number;
  rc: number;
  command: Uint8Array;
}

/** One line (no newline) naming the task that stopped the run. */
export function failFastMessage(f: FailedTask): string {
  return `Quitting early due to task failure with --fail-fast: ${f.what} (line ${f.line})` +
    ` exited with ${f.rc}: ${quoteLine(f.command)}`;
}
