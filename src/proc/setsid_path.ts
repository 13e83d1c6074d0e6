/**
 * util-linux `setsid`, the cheap way to start a Deno.Command child in a session of its own.
 *
 * `detached: true` does the same, but Deno implements it with a pre-exec hook, which makes Rust
 * fork() the whole runtime instead of calling posix_spawn: 7–20 ms of the main thread per child
 * here, against 1–2 ms. setsid(1) calls setsid() and execs its command in place (a Deno child is
 * never a process-group leader, so it does not fork), so the child's PID is the command's.
 *
 * The session exists once setsid(1) has run, a moment after the spawn returns: a group signal
 * sent in between finds no group (killGroup ignores that; terminateGroup's SIGKILL follows).
 * @module
 */

let cached: string | null | undefined;

/** The path of `setsid(1)`, or null where it is missing (then use `detached: true`). */
export function setsidPath(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const p of ["/usr/bin/setsid", "/bin/setsid"]) {
    try {
      if (Deno.statSync(p).isFile) {
        cached = p;
        break;
      }
    } catch {
      // not there
    }
  }
  return cached;
}

/** How to start a program in a session of its own with Deno.Command. */
export interface SessionCommand {
  cmd: string;
  args: string[];
  detached: boolean;
}

/**
 * `program args…` in a session of its own: run by setsid(1) where it exists, else with
 * `detached: true`. `program` must exist: a missing one would only make setsid(1) exit 127.
 */
export function inOwnSession(program: string, args: string[]): SessionCommand {
  const setsid = setsidPath();
  return setsid === null
    ? { cmd: program, args, detached: true }
    : { cmd: setsid, args: [program, ...args], detached: false };
}
