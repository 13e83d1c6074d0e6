/**
 * `disbatch --mon P` (or `P_dbUtil.sh --mon`, which runs `disbatch --mon --db-util P_dbUtil.sh`):
 * the full-screen terminal monitor of a running run.
 * @module
 */
import { parseArgs } from "node:util";
import { writeAllSync } from "../log/write_all_sync.ts";
import { errorMessage } from "../log/error_message.ts";
import { MonitorTui, type TuiTerminal } from "../monitor/monitor_tui.ts";
import { openRun, RunNotFoundError } from "../monitor/run_client.ts";
import { RunWatcher } from "../monitor/run_watcher.ts";
import { ASCII_LEVELS, BLOCK_LEVELS, localeIsUtf8 } from "../monitor/sparkline.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = "usage: disbatch --mon PREFIX|P_dbUtil.sh";

/** The process's own terminal. */
function processTerminal(): TuiTerminal {
  const buf = new Uint8Array(1024);
  return {
    write: (text) => {
      try {
        writeAllSync(Deno.stdout, text);
      } catch {
        // the terminal went away (SSH session closed): nothing to draw on
      }
    },
    size: () => Deno.consoleSize(),
    setRaw: (raw) => {
      try {
        Deno.stdin.setRaw(raw);
      } catch {
        // no terminal any more
      }
    },
    read: async () => {
      const n = await Deno.stdin.read(buf);
      return n === null ? null : buf.slice(0, n);
    },
  };
}

/** Entry of the monitor role; ends the process (a pending terminal read cannot be cancelled). */
export async function monitorMain(argv: string[]): Promise<number> {
  Deno.exit(await runMonitor(argv));
}

async function runMonitor(argv: string[]): Promise<number> {
  let target: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { "db-util": { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    target = values["db-util"] ?? positionals[0];
    if (!target) throw new Error("no run given");
    if (positionals.length > (values["db-util"] ? 0 : 1)) {
      throw new Error(`unrecognized arguments: ${positionals.slice(1).join(" ")}`);
    }
  } catch (e) {
    const message = errorMessage(e).split("\n")[0];
    return printUsageError(new UsageError(message, { usage: USAGE }));
  }
  if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) {
    console.error(
      "disbatch: error: the monitor needs a terminal; `disbatch --state P` prints the state as JSON",
    );
    return EXIT_USAGE;
  }
  let watcher: RunWatcher;
  try {
    const run = await openRun(target);
    if (run.exitCode !== null) {
      console.error(
        `disbatch: the run ${run.creds.prefix} has ended with exit code ${run.exitCode}` +
          ` (see its _status.txt, or disbatch --state)`,
      );
      return EXIT_FAILED;
    }
    watcher = await RunWatcher.open(run);
  } catch (e) {
    if (!(e instanceof RunNotFoundError) && (e as Error).name !== "DbUtilFormatError") throw e;
    console.error(`disbatch: error: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
  const levels = localeIsUtf8(Deno.env.toObject()) ? BLOCK_LEVELS : ASCII_LEVELS;
  const tui = new MonitorTui(processTerminal(), watcher, levels);
  const quit = () => tui.quit();
  const redraw = () => tui.draw();
  const signals: [Deno.Signal, () => void][] = [
    ["SIGINT", quit],
    ["SIGTERM", quit],
    ["SIGHUP", quit],
    ["SIGWINCH", redraw],
  ];
  for (const [sig, fn] of signals) Deno.addSignalListener(sig, fn);
  try {
    await tui.run();
  } finally {
    for (const [sig, fn] of signals) Deno.removeSignalListener(sig, fn);
  }
  await watcher.close();
  return EXIT_OK;
}
