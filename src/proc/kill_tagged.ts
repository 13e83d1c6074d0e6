/**
 * Ends the processes that carry an environment tag: how a context cleans up after a local
 * engine that died abruptly (SIGKILL, OOM killer) and so could not end its tasks, which run in
 * their own sessions and would otherwise live on as orphans.
 * @module
 */
import { killGroup } from "./kill_group.ts";

/** The environment variable that tags every task of an engine. */
export const ENGINE_TAG = "_DISBATCH_ENGINE";

function taggedPids(tag: string): number[] {
  const needle = `\0${ENGINE_TAG}=${tag}\0`;
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = "\0" + Deno.readTextFileSync(`/proc/${e.name}/environ`);
      if (env.includes(needle)) out.push(Number(e.name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/**
 * SIGTERMs the process groups of every process tagged `tag`, then SIGKILLs whatever is left
 * after `graceMs`. Returns how many processes were found.
 */
export async function killTagged(tag: string, graceMs: number): Promise<number> {
  const pids = taggedPids(tag);
  if (pids.length === 0) return 0;
  signalEach(pids, "SIGTERM");
  await new Promise((r) => setTimeout(r, graceMs));
  signalEach(taggedPids(tag), "SIGKILL");
  return pids.length;
}

/** Signals each process's group (when it leads one) and the process itself (when it does not). */
function signalEach(pids: number[], signal: Deno.Signal): void {
  for (const pid of pids) {
    killGroup(pid, signal);
    try {
      Deno.kill(pid, signal);
    } catch {
      // gone
    }
  }
}
