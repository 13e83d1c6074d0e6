/**
 * `disbatch --report SOURCE... [-o FILE]`: one self-contained HTML report of a run (and its
 * resumes) from its status files. SOURCE is a run prefix P or a status file (ours or Python
 * disBatch's); the default output is `P_report.html`.
 * @module
 */
import { renderReportHtml } from "../report/report_html.ts";
import { attachCaptureTails } from "../report/capture_tails.ts";
import { CaptureReadError } from "../capture/capture_reader.ts";
import { reportData } from "../report/report_data.ts";
import {
  defaultOutput,
  readReportSources,
  ReportInputError,
  resolveSource,
} from "../report/read_report_sources.ts";
import { EXIT_OK, EXIT_RUN_FILE, EXIT_USAGE } from "./exit_codes.ts";
import { RunFileError } from "../log/run_file_error.ts";
import { UsageError } from "./parse_args.ts";
import { printUsageError } from "./print_usage_error.ts";

const USAGE = "usage: disbatch --report SOURCE... [-o FILE]";
const HELP = `${USAGE}

Writes one self-contained HTML report of a run: summary, timeline, running tasks and
completions over time, durations, hosts, failures and the slowest tasks. For a run made
with --capture, each failure shows the end of its captured stdout and stderr.

positional arguments:
  SOURCE        a run prefix P (reads P_status.txt and P_driver.log) or a status file;
                give a run and its resumes together

options:
  -h, --help    show this help message and exit
  -o FILE, --output FILE
                where to write the report (default: P_report.html)
`;

/** Parses `--report`'s arguments; throws {@link UsageError}. */
export function parseReportArgs(argv: string[]): { sources: string[]; output: string | null } | {
  help: true;
} {
  const sources: string[] = [];
  let output: string | null = null;
  let options = true;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (options && (a === "-h" || a === "--help")) return { help: true };
    if (options && a === "--") {
      options = false;
    } else if (options && (a === "-o" || a === "--output")) {
      if (k + 1 >= argv.length) throw new UsageError(`argument ${a}: expected one argument`, u());
      output = argv[++k];
    } else if (options && a.startsWith("--output=")) {
      output = a.slice("--output=".length);
    } else if (options && a.startsWith("-o") && a.length > 2) {
      output = a.slice(2);
    } else if (options && a.startsWith("-") && a !== "-") {
      throw new UsageError(`unrecognized arguments: ${a}`, u());
    } else {
      sources.push(a);
    }
  }
  if (sources.length === 0) {
    throw new UsageError("the following arguments are required: SOURCE", u());
  }
  if (output === "") throw new UsageError("argument -o/--output: expected a file name", u());
  return { sources, output };
}

function u() {
  return { usage: USAGE };
}

/** Entry of `disbatch --report`. */
export async function reportMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseReportArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return printUsageError(e);
    throw e;
  }
  if ("help" in args) {
    await Deno.stdout.write(new TextEncoder().encode(HELP));
    return EXIT_OK;
  }
  let html: string, output: string;
  try {
    const sources = [];
    for (const s of args.sources) sources.push(await resolveSource(s));
    output = args.output ?? defaultOutput(sources[0]);
    const { cols, files, ignoredLines } = await readReportSources(sources);
    try {
      await attachCaptureTails(cols, sources.map((s) => s.prefix));
    } catch (e) {
      if (!(e instanceof CaptureReadError)) throw e;
      console.error(`disbatch: warning: the report shows no captured output: ${e.message}`);
    }
    html = renderReportHtml(reportData(cols, files, ignoredLines));
  } catch (e) {
    if (!(e instanceof ReportInputError)) throw e;
    console.error(`disbatch: error: ${e.message}`);
    return EXIT_USAGE;
  }
  // Written beside and renamed: a full disk leaves no half report under the final name.
  const part = `${output}.part`;
  try {
    await Deno.writeTextFile(part, html);
    await Deno.rename(part, output);
  } catch (e) {
    await Deno.remove(part).catch(() => {});
    console.error(`disbatch: error: ${new RunFileError(output, e).message}`);
    return EXIT_RUN_FILE;
  }
  console.log(`disbatch: report written to ${output}`);
  return EXIT_OK;
}
