/**
 * Ends the processes that carry an environment tag. Every task of an engine carries its
 * engine's tag, and keeps it through `setsid`, `nohup` and double forks: so this finds what a
 * task left behind in a session of its own (a daemon), which no process-group signal reaches.
 * An engine calls it once as it ends; a context calls it for a local engine that died abruptly
 * (SIGKILL, OOM killer) and so could not end its tasks.
 * @module
 */
import { killGroup } from "./kill_group.ts";

/** The environment variable that tags every task of an engine. */
export const ENGINE_TAG = "_DISBATCH_ENGINE";

/** How often the tagged processes are looked for again while they are given time to exit. */
const POLL_MS = 50;

const encoder = new TextEncoder();

/**
 * PIDs of the processes whose initial environment holds `ENGINE_TAG=tag` (read from
 * `/proc/PID/environ`, so a process that changed its own environment later still counts).
 * One pass over `/proc`: a few ms for a few hundred processes. This process is never listed.
 */
export function taggedPids(tag: string): number[] {
  const needle = encoder.encode(`${ENGINE_TAG}=${tag}\0`);
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    const c = e.name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const env = Deno.readFileSync(`/proc/${e.name}/environ`);
      if (holdsEntry(env, needle)) out.push(Number(e.name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out.filter((pid) => pid !== Deno.pid);
}

/** True when `env` (NUL-separated `NAME=value` entries) has an entry equal to `entry\0`. */
function holdsEntry(env: Uint8Array, entry: Uint8Array): boolean {
  for (let i = env.indexOf(entry[0]); i >= 0; i = env.indexOf(entry[0], i + 1)) {
    if (i > 0 && env[i - 1] !== 0) continue;
    if (i + entry.length > env.length) return false;
    let j = 1;
    while (j < entry.length && env[i + j] === entry[j]) j++;
    if (j === entry.length) return true;
  }
  return false;
}

/**
 * SIGTERMs the process groups of every process tagged `tag`, gives them up to `graceMs` to
 * exit (returning as soon as none is left), then SIGKILLs whatever is. Returns how many
 * processes were found.
 */
export async function killTagged(tag: string, graceMs: number): Promise<number> {
  const pids = taggedPids(tag);
  if (pids.length === 0) return 0;
  signalEach(pids, "SIGTERM");
  const end = Date.now() + graceMs;
  let left = taggedPids(tag);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, end - Date.now()))));
    left = taggedPids(tag);
  }
  signalEach(left, "SIGKILL");
  return pids.length;
}

/** Signals each process's group (when it leads one) and the process itself (when it does not). */
function signalEach(pids: number[], signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      killGroup(pid, signal);
      Deno.kill(pid, signal);
    } catch {
      // gone, or not ours to signal
    }
  }
}
