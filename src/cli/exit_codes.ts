/**
 * Exit codes of disbatch. 0/1/2/130/143 are the original's; 3 (task-file errors), 4 (a file of
 * the run cannot be written), 5 (`--output`: no captured output) and 129/131 (SIGHUP/SIGQUIT)
 * are ours.
 * @module
 */
export const EXIT_OK = 0;
/** Tasks failed with `-e`, fail-fast, a failed BARRIER CHECK, setup failures, resume mismatch. */
export const EXIT_FAILED = 1;
/** Command-line errors, unreadable task or resume files. */
export const EXIT_USAGE = 2;
/** The task file has a malformed or misplaced `#DISBATCH` directive (or an oversized line). */
export const EXIT_TASKFILE = 3;
/**
 * A file of the run cannot be written (disk full, quota, I/O error, read-only file system, no
 * permission): the status file during the run, or any output file at start.
 */
export const EXIT_RUN_FILE = 4;
/**
 * `disbatch --output`: the run has no capture files, the task has no captured output (unknown
 * id, not captured, not started), or `--follow` saw the run end before the task did.
 */
export const EXIT_NO_OUTPUT = 5;
/** 128 + SIGHUP. */
export const EXIT_SIGHUP = 129;
/** 128 + SIGINT. */
export const EXIT_SIGINT = 130;
/** 128 + SIGQUIT. */
export const EXIT_SIGQUIT = 131;
/** 128 + SIGTERM. */
export const EXIT_SIGTERM = 143;
