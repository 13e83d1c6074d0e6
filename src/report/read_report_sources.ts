/**
 * Reads what `disbatch --report` is given: run prefixes (`P`: `P_status.txt`, and slots from
 * `P_driver.log`) and status files (ours or Python disBatch's), streamed into
 * {@link StatusColumns}.
 * @module
 */
import { parseStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import { driverLogSlots } from "./driver_log_slots.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { ReportFile } from "./report_data.ts";
import { StatusColumns } from "./status_columns.ts";
import { errorMessage } from "../log/error_message.ts";

/** An input that cannot be read or is not a status file; the message names it. */
export class ReportInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReportInputError";
  }
}

/** One source resolved to its files. */
export interface ReportSource {
  /** As given. */
  name: string;
  statusFile: string;
  /** The run's driver log, when the source is a prefix or a `P_status.txt` beside one. */
  driverLog: string | null;
  /** `P` when known (for the default output name). */
  prefix: string | null;
}

const STATUS_SUFFIX = "_status.txt";
/** At most this many status files (file numbers are kept in a byte). */
export const MAX_SOURCES = 255;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Resolves a command-line source: an existing file is a status file, else a run prefix. */
export async function resolveSource(name: string): Promise<ReportSource> {
  let info: Deno.FileInfo | null = null;
  try {
    info = await Deno.stat(name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new ReportInputError(`${name}: cannot read: ${errorMessage(e)}`, { cause: e });
    }
  }
  if (info?.isDirectory) {
    throw new ReportInputError(`${name}: is a directory, not a status file or run prefix`);
  }
  if (info) {
    const prefix = name.endsWith(STATUS_SUFFIX) ? name.slice(0, -STATUS_SUFFIX.length) : null;
    const log = prefix !== null && await isFile(`${prefix}_driver.log`)
      ? `${prefix}_driver.log`
      : null;
    return { name, statusFile: name, driverLog: log, prefix };
  }
  if (await isFile(name + STATUS_SUFFIX)) {
    const log = await isFile(`${name}_driver.log`) ? `${name}_driver.log` : null;
    return { name, statusFile: name + STATUS_SUFFIX, driverLog: log, prefix: name };
  }
  throw new ReportInputError(
    `${name}: no such status file, and no run with that prefix (${name}${STATUS_SUFFIX})`,
  );
}

/** The default output of a report on `first`: `P_report.html`, else beside the file. */
export function defaultOutput(first: ReportSource): string {
  const base = first.prefix ?? first.statusFile.replace(/\.txt$/, "");
  return `${base}_report.html`;
}

/**
 * Streams `path` into `cols` as file number `file`. Returns the number of lines that are not
 * status lines (ignored). A last line without its newline (a file being written, or torn) is
 * not read. Throws {@link ReportInputError} when the file cannot be read, or has lines but not
 * one status line.
 */
export async function readStatusFile(
  path: string,
  file: number,
  cols: StatusColumns,
): Promise<number> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(path);
  } catch (e) {
    throw new ReportInputError(`${path}: cannot read: ${errorMessage(e)}`, { cause: e });
  }
  const splitter = new LineSplitter();
  const decoder = new TextDecoder("utf-8");
  const buf = new Uint8Array(1 << 20);
  let records = 0, bad = 0, lineNo = 0, firstBad = 0;
  try {
    for (;;) {
      let n: number | null;
      try {
        n = await f.read(buf);
      } catch (e) {
        throw new ReportInputError(`${path}: cannot read: ${errorMessage(e)}`, { cause: e });
      }
      if (n === null) break;
      for (const line of splitter.feed(decoder.decode(buf.subarray(0, n), { stream: true }))) {
        lineNo++;
        if (line === "" || line === STATUS_HEADER) continue;
        const r = parseStatusLine(line);
        if (r) {
          cols.add(r, file);
          records++;
        } else if (bad++ === 0) firstBad = lineNo;
      }
    }
  } finally {
    f.close();
  }
  if (records === 0 && bad > 0) {
    throw new ReportInputError(
      `${path}: not a status file (line ${firstBad} is not a disBatch status line)`,
    );
  }
  return bad;
}

/** Reads every source into one set of columns; the files' order is the sources'. */
export async function readReportSources(
  sources: ReportSource[],
): Promise<{ cols: StatusColumns; files: ReportFile[]; ignoredLines: number }> {
  if (sources.length > MAX_SOURCES) {
    throw new ReportInputError(`at most ${MAX_SOURCES} status files in one report`);
  }
  const cols = new StatusColumns();
  const files: ReportFile[] = [];
  let ignoredLines = 0;
  for (const [k, s] of sources.entries()) {
    ignoredLines += await readStatusFile(s.statusFile, k, cols);
    let slots: Map<string, number> | null = null;
    if (s.driverLog) {
      try {
        slots = driverLogSlots(await Deno.readTextFile(s.driverLog));
      } catch {
        slots = null; // the log is optional: slots are then estimated
      }
    }
    files.push({ name: s.statusFile, slots: slots?.size ? slots : null });
  }
  return { cols, files, ignoredLines };
}
