/**
 * `disbatch --submit P [--wait] [--end] [--file F | -] [LINE...]`: submits task lines to a
 * running task server (`disbatch --taskserver`) from the arguments, a file or standard input,
 * prints the task ids they got (or, with `--wait`, their results as JSON lines as they finish),
 * and with `--end` ends the run's task stream. P is the run's prefix or its `P_dbUtil.sh`.
 * @module
 */
import {
  RunNotFoundError,
  SubmitRejectedError,
  TaskClient,
  TaskClientError,
} from "../client/task_client.ts";
import { DbUtilFormatError } from "../protocol/db_util_script.ts";
import { LineTooLongError, readLines } from "../taskfile/line_reader.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";
import { printUsageError } from "./print_usage_error.ts";
import { UsageError } from "./usage_error.ts";

const USAGE =
  "usage: disbatch --submit PREFIX|P_dbUtil.sh [--wait] [--end] [--file F | -] [LINE...]";

/** Lines of a file or stdin are submitted this many at a time (bounded memory). */
const CHUNK = 10_000;

interface SubmitArgs {
  target: string;
  wait: boolean;
  end: boolean;
  /** File to read lines from ("-": stdin), or null for `lines`. */
  file: string | null;
  lines: string[];
}

/** Parses the arguments after `--submit`; a string is a usage error. */
export function parseSubmitArgs(argv: string[]): SubmitArgs | string {
  const a: SubmitArgs = { target: "", wait: false, end: false, file: null, lines: [] };
  const positional: string[] = [];
  let options = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!options || arg === "-" || !arg.startsWith("-")) positional.push(arg);
    else if (arg === "--") options = false;
    else if (arg === "--wait") a.wait = true;
    else if (arg === "--end") a.end = true;
    else if (arg === "--file" || arg.startsWith("--file=")) {
      const f = arg === "--file" ? argv[++i] : arg.slice("--file=".length);
      if (!f) return "--file needs a file name";
      if (a.file !== null) return "only one --file (or -) may be given";
      a.file = f;
    } else return `unknown option ${arg}`;
  }
  const target = positional.shift();
  if (!target) return "the run (PREFIX or P_dbUtil.sh) is missing";
  a.target = target;
  if (positional.length === 1 && positional[0] === "-" && options) {
    if (a.file !== null) return "only one --file (or -) may be given";
    a.file = "-";
  } else a.lines = positional;
  if (a.file !== null && a.lines.length > 0) return "give lines either as arguments or in a file";
  if (a.file === null && a.lines.length === 0 && !a.end) return "nothing to submit";
  if (a.wait && a.file === null && a.lines.length === 0) return "--wait needs lines to submit";
  return a;
}

/** Batches of lines from the arguments or from a file / stdin, as text. */
async function* chunks(a: SubmitArgs): AsyncGenerator<string[]> {
  if (a.file === null) {
    if (a.lines.length > 0) yield a.lines;
    return;
  }
  const f = a.file === "-" ? null : await Deno.open(a.file);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let batch: string[] = [];
  let n = 0;
  for await (const line of readLines(f ? f.readable : Deno.stdin.readable)) {
    n++;
    try {
      batch.push(decoder.decode(line));
    } catch (e) {
      throw new TaskClientError(`${a.file}: line ${n} is not valid UTF-8`, { cause: e });
    }
    if (batch.length >= CHUNK) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Entry of `disbatch --submit …`; returns the exit code. */
export async function submitMain(argv: string[]): Promise<number> {
  const a = parseSubmitArgs(argv);
  if (typeof a === "string") return printUsageError(new UsageError(a, { usage: USAGE }));
  let client: TaskClient;
  try {
    client = await TaskClient.connect(a.target);
  } catch (e) {
    if (!(e instanceof RunNotFoundError)) throw e;
    console.error(`disbatch: error: ${e.message}`);
    // No such helper script is a usage error (as for --state); an unreachable run is not.
    return e.cause instanceof Deno.errors.NotFound || e.cause instanceof DbUtilFormatError
      ? EXIT_USAGE
      : EXIT_FAILED;
  }
  let code = EXIT_OK;
  const fail = (message: string) => {
    console.error(`disbatch: error: ${message}`);
    code = EXIT_FAILED;
  };
  const ids: number[] = [];
  const say = (got: number[]) => {
    ids.push(...got);
    if (!a.wait && got.length > 0) console.log(got.join("\n"));
  };
  try {
    try {
      for await (const batch of chunks(a)) say(await client.submit(batch));
    } catch (e) {
      // What was accepted runs (and is waited for); the rest of the input is not submitted.
      if (e instanceof SubmitRejectedError) say(e.accepted);
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
        console.error(`disbatch: error: cannot read ${a.file}: ${e.message}`);
        return EXIT_USAGE;
      }
      if (!(e instanceof TaskClientError || e instanceof LineTooLongError)) throw e;
      fail(e.message);
    }
    if (a.end) await client.done();
    let seen = 0;
    try {
      for (; a.wait && seen < ids.length; seen++) {
        const r = await client.waitForOne();
        console.log(JSON.stringify(r));
        if (r.ReturnCode !== 0) code = EXIT_FAILED;
      }
    } catch (e) {
      if (!(e instanceof TaskClientError)) throw e;
      fail(`${e.message}; ${ids.length - seen} result(s) missing`);
    }
  } catch (e) {
    if (!(e instanceof TaskClientError)) throw e;
    fail(e.message);
  } finally {
    await client.close();
  }
  return code;
}
