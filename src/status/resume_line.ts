/**
 * An old status line that resume (spec §10) kept for a task, as its bytes, and what a skip needs
 * of it: the fields the match compares (§10.2) and the S line that records the skip (§7.8).
 *
 * The S line is the old record parsed and formatted again with kind S. For a line in the form
 * this program writes (and Python disBatch too, mostly), that is the old bytes with the fourth
 * flag turned into `S`, so such a line is neither parsed nor formatted: {@link canonicalFields}
 * proves field by field that the round trip would give the same bytes. Any other line (an
 * Elapsed that Python computed from unrounded times, non-ASCII text, escapes in a snippet,
 * a bytes-literal command, odd integers) takes the round trip.
 * @module
 */
import { formatStatusLine, parseStatusLine } from "./status_line.ts";
import type { TaskRecord } from "./task_record.ts";

const TAB = 0x09;
const SPACE = 0x20;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const S = 0x53;
const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** Positions of a line's first 14 TABs. */
const tabs = new Int32Array(14);

/** The fields a match compares, read from a line that round-trips unchanged. */
export interface CanonicalFields {
  taskId: number;
  line: number;
  repeat: number;
  rc: number;
  /** Where the command field, which is the command's bytes, starts. */
  command: number;
}

/**
 * The matched fields of the status line `b[start, end)` (without its newline) when parsing it
 * and formatting the record again as kind N would give the same bytes; null when that is not
 * sure.
 */
export function canonicalFields(b: Uint8Array, start = 0, end = b.length): CanonicalFields | null {
  let count = 0;
  for (let i = start; i < end && count < 14; i++) if (b[i] === TAB) tabs[count++] = i;
  if (count !== 14 || tabs[0] !== start + 4 || b[start + 3] !== SPACE) return null;
  const taskId = intAt(b, start + 5, tabs[1]);
  const line = intAt(b, tabs[1] + 1, tabs[2]);
  const repeat = intAt(b, tabs[2] + 1, tabs[3]);
  const pid = intAt(b, tabs[4] + 1, tabs[5]);
  const rc = intAt(b, tabs[5] + 1, tabs[6]);
  const outBytes = intAt(b, tabs[9] + 1, tabs[10]);
  const errBytes = intAt(b, tabs[11] + 1, tabs[12]);
  if (
    taskId === null || line === null || repeat === null || pid === null || rc === null ||
    outBytes === null || errBytes === null
  ) return null;
  if (
    b[start] !== (rc !== 0 ? 0x52 : SPACE) || b[start + 1] !== (outBytes !== 0 ? 0x4f : SPACE) ||
    b[start + 2] !== (errBytes !== 0 ? 0x45 : SPACE)
  ) return null;
  if (!ascii(b, tabs[3] + 1, tabs[4])) return null; // the host
  // Elapsed is formatted from Finish − Start: it must be their difference in thousandths.
  const elapsed = fixed3At(b, tabs[6] + 1, tabs[7], true);
  const startTime = fixed3At(b, tabs[7] + 1, tabs[8], false);
  const finish = fixed3At(b, tabs[8] + 1, tabs[9], false);
  if (
    elapsed === null || startTime === null || finish === null || elapsed !== finish - startTime
  ) return null;
  if (!plainRepr(b, tabs[10] + 1, tabs[11]) || !plainRepr(b, tabs[12] + 1, tabs[13])) return null;
  const command = tabs[13] + 1;
  // A command starting like a bytes literal may be read as one.
  if (b[command] === 0x62 && (b[command + 1] === QUOTE || b[command + 1] === 0x22)) return null;
  if (!ascii(b, command, end)) return null;
  return { taskId, line, repeat, rc, command };
}

/**
 * The matched fields of a line that {@link canonicalFields} accepted before (a resume's check
 * before the run): only the fields are found again, the proof of the round trip is not redone.
 */
function checkedFields(b: Uint8Array, start: number, end: number): CanonicalFields | null {
  let count = 0;
  for (let i = start; i < end && count < 14; i++) if (b[i] === TAB) tabs[count++] = i;
  if (count !== 14) return null;
  const taskId = intAt(b, start + 5, tabs[1]);
  const line = intAt(b, tabs[1] + 1, tabs[2]);
  const repeat = intAt(b, tabs[2] + 1, tabs[3]);
  const rc = intAt(b, tabs[5] + 1, tabs[6]);
  if (taskId === null || line === null || repeat === null || rc === null) return null;
  return { taskId, line, repeat, rc, command: tabs[13] + 1 };
}

function ascii(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return false;
  return true;
}

/** Digits as `%d` writes them (no sign but `-`, no leading zero, no `-0`), up to 15. */
function intAt(b: Uint8Array, start: number, end: number): number | null {
  const negative = b[start] === 0x2d;
  const from = negative ? start + 1 : start;
  const n = end - from;
  if (n < 1 || n > 15 || (b[from] === 0x30 && (n > 1 || negative))) return null;
  let v = 0;
  for (let i = from; i < end; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/**
 * `%.3f` text of at most 15 digits, as thousandths: such a decimal is the one `%.3f` prints for
 * the double nearest to it, and the difference of two of them, rounded to thousandths, is the
 * difference of the decimals (the error, under 2e-4, is far from a rounding tie). A sign only
 * where allowed, and never on zero (Python prints `-0.000` for a difference of −0 only).
 */
function fixed3At(b: Uint8Array, start: number, end: number, signed: boolean): number | null {
  const negative = b[start] === 0x2d;
  if (negative && !signed) return null;
  const from = negative ? start + 1 : start;
  const n = end - from;
  if (n < 5 || n > 16 || b[end - 4] !== 0x2e || (b[from] === 0x30 && n > 5)) return null;
  let v = 0;
  for (let i = from; i < end; i++) {
    if (i === end - 4) continue;
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (negative && v === 0) return null;
  return negative ? -v : v;
}

/**
 * A snippet in single quotes holding printable ASCII and the escapes `\\`, `\n`, `\t`, `\r`
 * only, and no `'`: Python's `repr` of the text it stands for is exactly this.
 */
function plainRepr(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2 || b[start] !== QUOTE || b[end - 1] !== QUOTE) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i];
    if (c === BACKSLASH) {
      const e = b[++i];
      if (i >= end - 1 || (e !== BACKSLASH && e !== 0x6e && e !== 0x74 && e !== 0x72)) return false;
    } else if (c < SPACE || c > 0x7e || c === QUOTE) return false;
  }
  return true;
}

/** A kept line: its matched fields, record and S line. */
export class ResumeLine {
  /** The line is `buffer[start, end)`, without its newline. */
  readonly buffer: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly #fields: CanonicalFields | null;
  #record: TaskRecord | null | undefined;

  /**
   * The line `buffer[start, end)` (without its newline), which must not change while in use.
   * `checked`: the line was found {@link canonical} before (the same bytes, read again).
   */
  constructor(buffer: Uint8Array, start = 0, end = buffer.length, checked = false) {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
    this.#fields = (checked ? checkedFields(buffer, start, end) : null) ??
      canonicalFields(buffer, start, end);
  }

  /** Whether the line round-trips unchanged (its S line is its own bytes). */
  get canonical(): boolean {
    return this.#fields !== null;
  }

  /** The record (kind N) as the resume reader parses it; null when the line is not one. */
  record(): TaskRecord | null {
    if (this.#record === undefined) {
      const text = decoder.decode(this.buffer.subarray(this.start, this.end));
      this.#record = parseStatusLine(text);
    }
    return this.#record;
  }

  /** Whether the line is a record (an unparsable one never skips a task). */
  get valid(): boolean {
    return this.#fields !== null || this.record() !== null;
  }

  /** Task id (of a {@link valid} line). */
  get taskId(): number {
    return this.#fields?.taskId ?? this.record()!.taskId;
  }

  /** Return code (of a {@link valid} line). */
  get rc(): number {
    return this.#fields?.rc ?? this.record()!.rc;
  }

  /**
   * Whether the record is of the task `taskId` on line `line`, repeat `repeat`, with exactly
   * the bytes `command` (spec §10.2).
   */
  matches(taskId: number, line: number, repeat: number, command: Uint8Array): boolean {
    const f = this.#fields;
    if (f === null) {
      const r = this.record()!;
      return r.taskId === taskId && r.line === line && r.repeat === repeat &&
        bytesEqual(r.command, 0, r.command.length, command);
    }
    return f.taskId === taskId && f.line === line && f.repeat === repeat &&
      bytesEqual(this.buffer, f.command, this.end, command);
  }

  /**
   * The S line that records the skip (spec §7.8) but for its kind flag (the fourth byte, to be
   * written as `S`) and newline: the old line itself when it round-trips unchanged.
   */
  skipLine(): Uint8Array {
    if (this.#fields !== null) return this.buffer.subarray(this.start, this.end);
    return encoder.encode(formatStatusLine({ ...this.record()!, kind: "S" }));
  }
}

/** Copies `line` (see {@link ResumeLine.skipLine}) to `out` at `at` as a whole S line. */
export function putSkipLine(line: Uint8Array, out: Uint8Array, at: number): void {
  out.set(line, at);
  out[at + 3] = S;
  out[at + line.length] = 0x0a;
}

/** Whether `a[start, end)` holds exactly the bytes of `b`. */
function bytesEqual(a: Uint8Array, start: number, end: number, b: Uint8Array): boolean {
  if (end - start !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[start + i] !== b[i]) return false;
  return true;
}
