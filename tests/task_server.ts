/**
 * End-to-end helper: a real task server (`disbatch --taskserver`) started in the background,
 * ready for clients once its helper script is complete.
 * @module
 */
import { type BackgroundRun, startDisbatch, waitFor } from "./background_run.ts";
import { withTempDir } from "./helpers.ts";

/** A running task server. */
export interface TaskServer {
  run: BackgroundRun;
  /** Output prefix P (absolute). */
  prefix: string;
  /** P_dbUtil.sh */
  script: string;
}

/** Options of {@link withTaskServer}: `-s localhost:<slots>` (2), prefix name (`ts`). */
export interface TaskServerOptions {
  slots?: number;
  name?: string;
}

/**
 * Runs `fn` with a task server started in a fresh temporary directory `dir`; afterwards the
 * server is killed if it still runs, and the directory is removed.
 */
export async function withTaskServer(
  opts: TaskServerOptions,
  fn: (server: TaskServer, dir: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const server = await startTaskServer(dir, opts);
    try {
      await fn(server, dir);
    } finally {
      await stopTaskServer(server);
    }
  });
}

/** Starts `disbatch --taskserver -s localhost:<slots> -p <dir>/<name>` in `dir`. */
async function startTaskServer(dir: string, opts: TaskServerOptions): Promise<TaskServer> {
  const prefix = `${dir}/${opts.name ?? "ts"}`;
  const script = `${prefix}_dbUtil.sh`;
  const run = startDisbatch(
    ["--taskserver", "-s", `localhost:${opts.slots ?? 2}`, "-p", prefix],
    { cwd: dir },
  );
  let exited = false;
  run.result.then(() => exited = true);
  await waitFor("the task server's helper script", async () => {
    if (exited) {
      throw new Error(`the task server exited early: ${JSON.stringify(await run.result)}`);
    }
    // Complete once its last line (the context launch) is there.
    return await Deno.readTextFile(script).then(
      (t) => t.includes("context_launch.log"),
      () => false,
    );
  });
  return { run, prefix, script };
}

/** Test clean-up: kills the server if it still runs, and waits for it. */
async function stopTaskServer(server: TaskServer): Promise<void> {
  try {
    server.run.kill("SIGKILL");
  } catch {
    // already exited
  }
  await server.run.result;
}
