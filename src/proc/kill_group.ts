/**
 * Signalling a child's whole process group. Every child spawned here leads its own session and
 * process group (posix_spawn's SETSID, setsid(1) or `detached: true`), so `-pid` reaches it and
 * everything it forked.
 * @module
 */

/** Sends `signal` to process group `pgid`; a group that no longer exists is not an error. */
export function killGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** True when `status` settles within `ms`; false when the time runs out first. */
export async function exitedWithin(status: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      status.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
  } finally {
    clearTimeout(timer);
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
