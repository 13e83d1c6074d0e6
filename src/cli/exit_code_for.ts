/**
 * The exit code of a finished run (see README "Exit codes").
 * @module
 */
import type { RunOutcome } from "../driver/driver.ts";
import { TaskFileError } from "../taskfile/task_parser.ts";
import {
  EXIT_FAILED,
  EXIT_INCOMPLETE,
  EXIT_OK,
  EXIT_RUN_FILE,
  EXIT_SIGHUP,
  EXIT_SIGINT,
  EXIT_SIGQUIT,
  EXIT_SIGTERM,
  EXIT_TASKFILE,
} from "./exit_codes.ts";

const SIGNAL_EXIT = {
  SIGINT: EXIT_SIGINT,
  SIGTERM: EXIT_SIGTERM,
  SIGHUP: EXIT_SIGHUP,
  SIGQUIT: EXIT_SIGQUIT,
} as const;

/** Maps an outcome to its exit code; `exitOnFailure` is `-e`. */
export function exitCodeFor(outcome: RunOutcome, exitOnFailure: boolean): number {
  switch (outcome.stoppedBy) {
    case "signal":
      return SIGNAL_EXIT[outcome.signal ?? "SIGTERM"];
    case "status_write":
      return EXIT_RUN_FILE;
    case "source_error":
    case "mismatch":
      // Task sources report an over-long line as a TaskFileError too.
      return outcome.error instanceof TaskFileError ? EXIT_TASKFILE : EXIT_FAILED;
    case "fail_fast":
    case "check":
    case "starved":
    case "internal_error":
      return EXIT_FAILED;
    case "context_failed":
      return outcome.contextCode ?? EXIT_FAILED;
    case "walltime":
      if (outcome.resumable) return EXIT_INCOMPLETE;
  }
  return exitOnFailure && outcome.failures > 0 ? EXIT_FAILED : EXIT_OK;
}
