/**
 * The engine of a plain local run, inside the driver process: the driver's own context starts
 * it here instead of as `P_dbUtil.sh --engine …`, so a local run pays no second runtime start-up
 * and no socket between driver and engine. It is the same engine code, given the same argv, and
 * it speaks the same protocol over a memory pair (src/net/memory_pair.ts). The context sees it
 * as a child: it waits for it, and ends it when the driver declares it lost.
 * @module
 */
import { Engine } from "../engine/engine.ts";
import type { Connection } from "../net/connection.ts";
import type { ChildHandle } from "../proc/spawn_child.ts";
import { spawnChild } from "../proc/spawn_child.ts";
import { errorMessage } from "../log/error_message.ts";
import { engineArgsOf, engineExitCode } from "./engine_main.ts";
import { EXIT_FAILED, EXIT_USAGE } from "./exit_codes.ts";

/**
 * Waits on stdin for the line that says the engine ended; on end of file instead (the driver
 * process died: SIGKILL, the OOM killer) it ends the engine's tasks, which run in sessions of
 * their own, as an engine process does when its driver goes away.
 */
const WATCHDOG = 'read -r _ || exec "$0" --cleanup --tag "$1"';

/**
 * Starts the engine that `argv` (what the context would give `P_dbUtil.sh`, from `--engine` on)
 * describes, on `conn` (its end of a memory pair to the driver). What an engine process would
 * print on stderr goes to `wrap`, as it would. Throws when the watchdog cannot start.
 */
export function startEngineInDriver(
  argv: string[],
  dbUtil: string,
  wrap: string,
  conn: () => Connection,
): ChildHandle {
  const parsed = engineArgsOf(["--db-util", dbUtil, ...argv.slice(1)]);
  if (typeof parsed === "string") {
    appendLine(wrap, `disbatch --engine: ${parsed}`);
    const status = Promise.resolve({ code: EXIT_USAGE, signal: null });
    return { pid: Deno.pid, status, ...noStdin(), terminate: async () => {} };
  }
  const tag = parsed.tag;
  const watchdog = tag === null ? null : spawnChild({
    cmd: "/bin/sh",
    args: ["-c", WATCHDOG, dbUtil, tag],
    stdin: "piped",
    stdoutFile: wrap,
    stderr: "file",
  });
  const engine = new Engine({ ...parsed, inDriver: conn() });
  const status = engine.run().then(engineExitCode, (e) => {
    appendLine(wrap, `disbatch --engine: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }).then(async (code) => {
    // Its tasks are ended (the engine ends them before it resolves): the watchdog may go.
    await watchdog?.writeStdin("\n").catch(() => {});
    await watchdog?.status;
    return { code, signal: null };
  });
  return {
    pid: Deno.pid,
    status,
    ...noStdin(),
    terminate: async () => {
      engine.stop();
      await status;
    },
  };
}

/** Adds a line to the wrap log, as an engine process's stderr would; best effort. */
function appendLine(wrap: string, line: string): void {
  try {
    Deno.writeTextFileSync(wrap, line + "\n", { append: true, create: true });
  } catch {
    // the context reports the exit code without its reason
  }
}

function noStdin(): Pick<ChildHandle, "writeStdin" | "closeStdin"> {
  const none = () => Promise.reject(new Error("an engine in the driver has no stdin"));
  return { writeStdin: none, closeStdin: none };
}
