/**
 * Signalling a child's whole process group. Every child spawned here leads its own session and
 * process group (posix_spawn's SETSID, setsid(1) or `detached: true`), so `-pid` reaches it and
 * everything it forked.
 * @module
 */
import { exitedWithin } from "../time/exited_within.ts";

/**
 * Grace between SIGTERM and SIGKILL when disbatch ends processes of its own: tasks (signals,
 * fail-fast, timeouts), engines, `--taskcommand`, orphans of a dead engine.
 */
export const TERM_GRACE_MS = 2_000;

/** Sends `signal` to process group `pgid`; a group that no longer exists is not an error. */
export function killGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * SIGTERM the group, SIGKILL it if the leader's `status` is not in after `graceMs`, and resolve
 * once the status is in. A final SIGKILL sweeps members that outlived a leader which died of
 * the SIGTERM: the group id cannot be reused while any member lives, and pid numbers cycle, so
 * an emptied group just yields ESRCH.
 */
export async function terminateGroup(
  pgid: number,
  status: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  killGroup(pgid, "SIGTERM");
  if (!(await exitedWithin(status, graceMs))) killGroup(pgid, "SIGKILL");
  await status;
  killGroup(pgid, "SIGKILL");
}
