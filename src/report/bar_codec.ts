/**
 * The timeline's bars in a compact binary form for the page: six columns of variable-length
 * integers (times in milliseconds, each bar's start relative to the previous bar's end in its
 * lane, task ids and lines as differences), which gzip then shrinks well. A million bars take
 * a few megabytes. {@link decodeBars} runs in the page too (inserted as its source text), so
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
export function encodeBars(bars: Bars, t0: number): Uint8Array {
  const cols = Array.from({ length: 6 }, () => new ByteWriter());
  const [lanes, starts, durs, outcomes, ids, lines] = cols;
  lanes.uint(bars.laneCounts.length);
  let k = 0, prevId = 0, prevOffset = 0;
  for (const n of bars.laneCounts) {
    lanes.uint(n);
    let prevEnd = 0;
    for (const end = k + n; k < end; k++) {
      const s = Math.round((bars.start[k] - t0) * 1000);
      const f = Math.max(s, Math.round((bars.finish[k] - t0) * 1000));
      starts.int(s - prevEnd);
      durs.uint(f - s);
      prevEnd = f;
      outcomes.byte(bars.outcome[k]);
      ids.int(bars.taskId[k] - prevId);
      prevId = bars.taskId[k];
      const offset = bars.line[k] - bars.taskId[k];
      lines.int(offset - prevOffset);
      prevOffset = offset;
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
  const uint = () => {
    let v = 0, scale = 1, b;
    do {
      b = bytes[pos++];
      v += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
    return v;
  };
  const int = () => {
    const u = uint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  };
  const ncols = uint();
  const lengths = [];
  for (let c = 0; c < ncols; c++) lengths.push(uint());
  const at = [pos];
  for (let c = 0; c < ncols; c++) at.push(at[c] + lengths[c]);
  const cursor = at.slice();
  const read = (c: number, signed: boolean) => {
    pos = cursor[c];
    const v = signed ? int() : uint();
    cursor[c] = pos;
    return v;
  };
  const lanes = read(0, false);
  const laneStart = new Uint32Array(lanes + 1);
  for (let l = 0; l < lanes; l++) laneStart[l + 1] = laneStart[l] + read(0, false);
  const n = laneStart[lanes];
  const start = new Float64Array(n), finish = new Float64Array(n);
  const outcome = bytes.slice(at[3], at[3] + n);
  const taskId = new Int32Array(n), line = new Int32Array(n);
  let k = 0, prevId = 0, prevOffset = 0;
  for (let l = 0; l < lanes; l++) {
    let prevEnd = 0;
    for (; k < laneStart[l + 1]; k++) {
      const s = prevEnd + read(1, true);
      prevEnd = s + read(2, false);
      start[k] = s / 1000;
      finish[k] = prevEnd / 1000;
      prevId += read(4, true);
      taskId[k] = prevId;
      prevOffset += read(5, true);
      line[k] = prevId + prevOffset;
    }
  }
  return { laneStart, start, finish, outcome, taskId, line };
}
