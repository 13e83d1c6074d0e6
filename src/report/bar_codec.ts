/**
 * The timeline's bars in a compact binary form for the page: six columns of variable-length
 * integers (times in milliseconds, each bar's start relative to the previous bar's end in its
 * lane, task ids as differences; outcomes and line numbers only where they change). A million
 * bars take about 6 MB. {@link decodeBars} runs in the page too (inserted as its source text), so
 * it refers to nothing outside itself.
 * @module
 */

/** Bars lane by lane (lanes in display order), each lane's bars by start. */
export interface Bars {
  /** Number of bars of each lane. */
  laneCounts: Uint32Array;
  /** Epoch seconds. */
  start: Float64Array;
  finish: Float64Array;
  /** {@link OUTCOME} code. */
  outcome: Uint8Array;
  taskId: Int32Array;
  line: Int32Array;
}

/** Outcome codes of bars (the page colours them). */
export const OUTCOME = { ok: 0, failed: 1, retried: 2, lost: 3, perEngine: 4 } as const;

/** Bars as decoded in the page: times in seconds from the encoding's `t0`. */
export interface DecodedBars {
  /** Bars of lane k are `laneStart[k] .. laneStart[k+1]-1`. */
  laneStart: Uint32Array;
  start: Float64Array;
  finish: Float64Array;
  outcome: Uint8Array;
  taskId: Int32Array;
  line: Int32Array;
}

class ByteWriter {
  bytes = new Uint8Array(1024);
  length = 0;

  byte(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  uint(v: number): void {
    while (v >= 128) {
      this.byte((v % 128) + 128);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  /** Zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 … */
  int(v: number): void {
    this.uint(v < 0 ? -2 * v - 1 : 2 * v);
  }

  get data(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Encodes `bars` with times as milliseconds from `t0` (≤ every start). */
export function encodeBars(bars: Bars, t0: number): Uint8Array<ArrayBuffer> {
  const cols = Array.from({ length: 6 }, () => new ByteWriter());
  const [lanes, starts, durs, outcomes, ids, lines] = cols;
  lanes.uint(bars.laneCounts.length);
  // Outcomes and line offsets (line − task id) rarely change: only the changes are written,
  // as (bars since the previous change, value).
  let k = 0, prevId = 0, prevOffset = 0, lastOutcome = -1, lastOffset = -1;
  for (const n of bars.laneCounts) {
    lanes.uint(n);
    let prevEnd = 0;
    for (const end = k + n; k < end; k++) {
      const s = Math.round((bars.start[k] - t0) * 1000);
      const f = Math.max(s, Math.round((bars.finish[k] - t0) * 1000));
      starts.int(s - prevEnd);
      durs.uint(f - s);
      prevEnd = f;
      if (bars.outcome[k] !== 0) {
        outcomes.uint(k - lastOutcome - 1);
        outcomes.uint(bars.outcome[k]);
        lastOutcome = k;
      }
      ids.int(bars.taskId[k] - prevId);
      prevId = bars.taskId[k];
      const offset = bars.line[k] - bars.taskId[k];
      if (offset !== prevOffset) {
        lines.uint(k - lastOffset - 1);
        lines.int(offset - prevOffset);
        lastOffset = k;
        prevOffset = offset;
      }
    }
  }
  const head = new ByteWriter();
  head.uint(cols.length);
  for (const c of cols) head.uint(c.length);
  const out = new Uint8Array(head.length + cols.reduce((n, c) => n + c.length, 0));
  out.set(head.data);
  let at = head.length;
  for (const c of cols) {
    out.set(c.data, at);
    at += c.length;
  }
  return out;
}

/** Decodes {@link encodeBars}' bytes. Self-contained: it also runs in the report page. */
export function decodeBars(bytes: Uint8Array): DecodedBars {
  let pos = 0;
  // Unsigned LEB128 at pos; the first 4 bytes with shifts, beyond with multiplication.
  const uint = () => {
    let b = bytes[pos++];
    if (b < 128) return b;
    let v = b & 127, shift = 7;
    do {
      b = bytes[pos++];
      v += shift < 28 ? (b & 127) << shift : (b & 127) * 2 ** shift;
      shift += 7;
    } while (b >= 128);
    return v;
  };
  const int = () => {
    const u = uint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  };
  const ncols = uint();
  const at = [0];
  for (let c = 0; c < ncols; c++) at.push(at[c] + uint());
  for (let c = 0; c <= ncols; c++) at[c] += pos;
  pos = at[0];
  const lanes = uint();
  const laneStart = new Uint32Array(lanes + 1);
  for (let l = 0; l < lanes; l++) laneStart[l + 1] = laneStart[l] + uint();
  const n = laneStart[lanes];
  const start = new Float64Array(n), finish = new Float64Array(n);
  pos = at[1];
  let p2 = at[2];
  for (let l = 0, k = 0; l < lanes; l++) {
    let prevEnd = 0;
    for (const end = laneStart[l + 1]; k < end; k++) {
      const s = prevEnd + int();
      const save = pos;
      pos = p2;
      prevEnd = s + uint();
      p2 = pos;
      pos = save;
      start[k] = s / 1000;
      finish[k] = prevEnd / 1000;
    }
  }
  const outcome = new Uint8Array(n);
  pos = at[3];
  for (let k = -1; pos < at[4];) {
    k += uint() + 1;
    outcome[k] = uint();
  }
  const taskId = new Int32Array(n);
  pos = at[4];
  for (let k = 0, id = 0; k < n; k++) taskId[k] = id += int();
  const line = new Int32Array(n);
  pos = at[5];
  let next = pos < at[6] ? uint() : n, offset = 0;
  for (let k = 0; k < n; k++) {
    if (k === next) {
      offset += int();
      next = pos < at[6] ? k + 1 + uint() : n;
    }
    line[k] = taskId[k] + offset;
  }
  return { laneStart, start, finish, outcome, taskId, line };
}
