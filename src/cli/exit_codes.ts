/**
 * Exit codes of disbatch. 0/1/2/130/143 are the original's; 3 is ours for task-file errors.
 * @module
 */
export const EXIT_OK = 0;
/** Tasks failed with `-e`, fail-fast, a failed BARRIER CHECK, setup failures, resume mismatch. */
export const EXIT_FAILED = 1;
/** Command-line errors, unreadable task or resume files. */
export const EXIT_USAGE = 2;
/** The task file has a malformed or misplaced `#DISBATCH` directive (or an oversized line). */
export const EXIT_TASKFILE = 3;
/** 128 + SIGINT. */
export const EXIT_SIGINT = 130;
/** 128 + SIGTERM. */
export const EXIT_SIGTERM = 143;
