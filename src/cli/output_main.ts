/**
 * `disbatch --output P TASKID [--stderr] [--follow]`: prints a task's captured stdout (or
 * stderr) of a run made with `--capture` (or `#DISBATCH CAPTURE on`), during the run or after.
 * @module
 */
import { taskOutput, type TaskOutputEnd } from "../capture/task_output.ts";
import { CaptureReadError } from "../capture/capture_reader.ts";
import { parseRunEnd } from "../protocol/run_end_record.ts";
import { prefixOf, runFiles } from "../protocol/run_files.ts";
import { isStreamGone, writeStd } from "../log/write_std.ts";
import { writeAllSync } from "../log/write_all_sync.ts";
import { EXIT_NO_OUTPUT, EXIT_OK } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = "usage: disbatch --output PREFIX|P_dbUtil.sh TASKID [--stderr] [--follow]";
const HELP = `${USAGE}

Prints the captured output of task TASKID of a run made with --capture (or with
#DISBATCH CAPTURE on), during the run or after it.

options:
  -h, --help    show this help message and exit
  --stderr      print the task's stderr instead of its stdout
  --follow      keep printing until the task has ended (exits 0 then)

exit status: 0 printed; 2 usage error; 5 no captured output (no capture files, unknown or
uncaptured task, or with --follow the run ended before the task did)
`;

/** How often `--follow` looks at the indexes. */
const FOLLOW_POLL_MS = 200;

/** `--output`'s arguments. */
export interface OutputArgs {
  prefix: string;
  taskId: number;
  stderr: boolean;
  follow: boolean;
}

/** Parses `--output`'s arguments; throws {@link UsageError}. */
export function parseOutputArgs(argv: string[]): OutputArgs | { help: true } {
  const positional: string[] = [];
  let stderr = false, follow = false;
  for (const a of argv) {
    if (a === "-h" || a === "--help") return { help: true };
    if (a === "--stderr") stderr = true;
    else if (a === "--follow") follow = true;
    else if (a.startsWith("-") && a !== "-") {
      throw new UsageError(`unrecognized arguments: ${a}`, u());
    } else positional.push(a);
  }
  if (positional.length < 2) {
    const missing = positional.length === 0 ? "PREFIX, TASKID" : "TASKID";
    throw new UsageError(`the following arguments are required: ${missing}`, u());
  }
  if (positional.length > 2) {
    throw new UsageError(`unrecognized arguments: ${positional.slice(2).join(" ")}`, u());
  }
  const [target, id] = positional;
  if (!/^(0|[1-9][0-9]{0,14})$/.test(id)) {
    throw new UsageError(`argument TASKID: invalid task id: '${id}'`, u());
  }
  return { prefix: prefixOf(target), taskId: Number(id), stderr, follow };
}

function u() {
  return { usage: USAGE, hint: "Try 'disbatch --output --help'." };
}

/** Whether the run recorded its end in its helper script (a missing script: nothing runs). */
async function runEnded(prefix: string): Promise<boolean> {
  try {
    return parseRunEnd(await Deno.readTextFile(runFiles.dbUtil(prefix))).exitCode !== null;
  } catch {
    return true;
  }
}

/** The one-line explanation of an unsuccessful end. */
function failure(end: Exclude<TaskOutputEnd, "done">, a: OutputArgs): string {
  switch (end) {
    case "no_capture":
      return `the run ${a.prefix} has no captured output (no ${a.prefix}_capture_*.idx; ` +
        `run with --capture or #DISBATCH CAPTURE on)`;
    case "no_task":
      return `task ${a.taskId} has no captured output in ${a.prefix} ` +
        `(no such task, not captured, or no output or end yet)`;
    case "unfinished":
      return `the run ${a.prefix} ended before task ${a.taskId} did (its engine was lost?); ` +
        `its output so far is above`;
  }
}

/** Entry of `disbatch --output`. */
export async function outputMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseOutputArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return printUsageError(e);
    throw e;
  }
  if ("help" in args) {
    writeStd(Deno.stdout, HELP);
    return EXIT_OK;
  }
  let readerGone = false;
  let end: TaskOutputEnd;
  try {
    end = await taskOutput({
      prefix: args.prefix,
      taskId: args.taskId,
      stream: args.stderr ? "err" : "out",
      follow: args.follow,
      write: (bytes) => {
        if (readerGone) return;
        try {
          writeAllSync(Deno.stdout, bytes);
        } catch (e) {
          if (!isStreamGone(e)) throw e;
          readerGone = true;
        }
      },
      note: (line) => writeStd(Deno.stderr, `disbatch: ${line}\n`),
      runEnded: () => runEnded(args.prefix),
      pause: () => new Promise((r) => setTimeout(r, FOLLOW_POLL_MS)),
    });
  } catch (e) {
    if (!(e instanceof CaptureReadError)) throw e;
    writeStd(Deno.stderr, `disbatch: error: ${e.message}\n`);
    return EXIT_NO_OUTPUT;
  }
  if (end === "done") return EXIT_OK;
  writeStd(Deno.stderr, `disbatch: error: ${failure(end, args)}\n`);
  return EXIT_NO_OUTPUT;
}
