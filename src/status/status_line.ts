/**
 * One status-file line (spec §7): formatting a {@link TaskRecord} and parsing it back for
 * resume (§10.1).
 * @module
 */

import { formatFixed3 } from "./number_format.ts";
import {
  LiteralSyntaxError,
  parseBytesLiteral,
  parseStrLiteral,
  reprBytes,
  reprStr,
} from "./py_repr.ts";
import type { RecordKind, TaskRecord } from "./task_record.ts";

/** The `--status-header` line (§7.6), without its newline. */
export const STATUS_HEADER = [
  "ROE[ PSZ]",
  "TaskID",
  "LineNum",
  "RepeatIndex",
  "Node",
  "PID",
  "ReturnCode",
  "Elapsed",
  "Start",
  "Finish",
  "BytesOfLeakedOutput",
  "OutputSnippet",
  "BytesOfLeakedError",
  "ErrorSnippet",
  "Command",
].join("\t");

const FIELD_COUNT = 15;
const KINDS: readonly string[] = ["N", "B", "C", "P", "S", "Z"] satisfies RecordKind[];
const encoder = new TextEncoder();
// Python's decode('utf-8') keeps a leading BOM; TextDecoder strips it unless told not to.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The flags field (§7.3): `ROE` + kind letter, or `B    `/`C    ` for barriers. */
export function flagsOf(r: TaskRecord): string {
  if (r.kind === "B" || r.kind === "C") return r.kind + "    ";
  return (r.rc !== 0 ? "R" : " ") + (r.outBytes !== 0 ? "O" : " ") +
    (r.errBytes !== 0 ? "E" : " ") + (r.kind === "N" ? " " : r.kind);
}

function decodeUtf8(b: Uint8Array): string | null {
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}

/**
 * Finish − Start as the status line shows it (3 decimals), as a number: the bare difference of
 * the two times carries binary noise (0.006999969482421875 for the line's 0.007).
 */
export function elapsedOf(r: TaskRecord): number {
  return Number(formatFixed3(r.finish - r.start));
}

/** Formats the 15 TAB-separated fields of a status line, without the newline. */
export function formatStatusLine(r: TaskRecord): string {
  return [
    flagsOf(r),
    r.taskId,
    r.line,
    r.repeat,
    r.host,
    r.pid,
    r.rc,
    formatFixed3(r.finish - r.start),
    formatFixed3(r.start),
    formatFixed3(r.finish),
    r.outBytes,
    reprStr(r.outSnippet),
    r.errBytes,
    reprStr(r.errSnippet),
    decodeUtf8(r.command) ?? reprBytes(r.command),
  ].join("\t");
}

/** Python `int()` of a field (ASCII digits; sign, surrounding blanks and `_` separators allowed). */
/** Python `int()` of a field (surrounding white space, a sign and `_` separators allowed). */
export function parseIntField(s: string): number | null {
  return /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(s) ? Number(s.replace(/[\s_]/g, "")) : null;
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL_FLOAT = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);

/** Python `float()` of a field (decimal or exponent notation, `inf`/`infinity`/`nan`). */
function parseFloatField(s: string): number | null {
  const t = s.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2].toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  return DECIMAL_FLOAT.test(t) ? Number(t.replace(/_/g, "")) : null;
}

function parseSnippet(s: string): string | null {
  try {
    return parseStrLiteral(s);
  } catch (e) {
    if (e instanceof LiteralSyntaxError) return null;
    throw e;
  }
}

/**
 * The command field: a bytes repr only when it evaluates to bytes that are not valid UTF-8
 * (the only case a writer emits one), otherwise the text itself — fixes the original's B19.
 */
function parseCommand(s: string): Uint8Array {
  if (s.startsWith("b'") || s.startsWith('b"')) {
    try {
      const b = parseBytesLiteral(s);
      if (decodeUtf8(b) === null) return b;
    } catch (e) {
      if (!(e instanceof LiteralSyntaxError)) throw e;
    }
  }
  return encoder.encode(s);
}

/** Splits on the first `FIELD_COUNT - 1` TABs; the command keeps any further TABs. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let from = 0;
  while (fields.length < FIELD_COUNT - 1) {
    const tab = line.indexOf("\t", from);
    if (tab < 0) break;
    fields.push(line.slice(from, tab));
    from = tab + 1;
  }
  fields.push(line.slice(from));
  return fields;
}

/**
 * Parses one status line (without its newline) as the Python resume reader does (§10.1).
 * Returns null for the header and for anything the Python reader would reject. The Elapsed
 * field is not read (it is recomputed from Start and Finish when re-formatted).
 */
export function parseStatusLine(line: string): TaskRecord | null {
  if (line === STATUS_HEADER) return null;
  const f = splitFields(line);
  if (f.length !== FIELD_COUNT) return null;
  const flags = [...f[0]];
  if (flags.length < 4) return null;
  let kind = "N";
  if ("PSZ".includes(flags[3])) kind = flags[3];
  else if (flags[0] !== " " && flags[0] !== "R") kind = flags[0];
  // Python accepts any letter here but only ever uses N records; others can be dropped.
  if (!KINDS.includes(kind)) return null;
  const [taskId, lineNum, repeat, pid, rc, outBytes, errBytes] = [1, 2, 3, 5, 6, 10, 12].map((k) =>
    parseIntField(f[k])
  );
  const start = parseFloatField(f[8]);
  const finish = parseFloatField(f[9]);
  const outSnippet = parseSnippet(f[11]);
  const errSnippet = parseSnippet(f[13]);
  if (
    taskId === null || lineNum === null || repeat === null || pid === null || rc === null ||
    outBytes === null || errBytes === null || start === null || finish === null ||
    outSnippet === null || errSnippet === null
  ) return null;
  return {
    kind: kind as RecordKind,
    taskId,
    line: lineNum,
    repeat,
    host: f[4],
    pid,
    rc,
    start,
    finish,
    outBytes,
    outSnippet,
    errBytes,
    errSnippet,
    command: parseCommand(f[14]),
  };
}
