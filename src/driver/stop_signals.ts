/**
 * The signals that stop a run. Each is handled like SIGTERM: running tasks' process groups are
 * killed and their lines recorded, and the driver exits 128 + the signal's number. SIGHUP
 * comes when the terminal closes or an ssh session drops, SIGQUIT from Ctrl-\.
 * @module
 */

/** Signals that stop a run. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** One of {@link STOP_SIGNALS}. */
export type StopSignal = typeof STOP_SIGNALS[number];
