/**
 * The index of an engine's capture file (`P_capture_<rank>.idx`): one text line per event, so
 * a reader can follow it while the engine appends, and a torn last line (the engine died, the
 * disk filled) is simply ignored. The bytes themselves are in `P_capture_<rank>.out`, in the
 * order they were read, tasks interleaved; the index says which ranges are whose:
 *
 * ```text
 * # disbatch capture 1
 * S <taskId> <epochMs>                  the task started then (written with its first
 *                                       other record: one write for a task without output)
 * C <taskId> o|e <offset> <length>      bytes of its stdout (o) or stderr (e) in the .out file
 * E <taskId> <outSeen> <errSeen> <0|1>  it ended: bytes it wrote to each stream, and 1 when
 *                                       more than the cap was seen (the rest was not kept)
 * ```
 * @module
 */

/** First line of every index file (the format's version). */
export const CAPTURE_INDEX_HEADER = "# disbatch capture 1\n";

/** Which stream a chunk belongs to. */
export type CaptureStream = "out" | "err";

/** One line of an index. */
export type CaptureRecord =
  | { kind: "S"; taskId: number; atMs: number }
  | { kind: "C"; taskId: number; stream: CaptureStream; offset: number; length: number }
  | { kind: "E"; taskId: number; outSeen: number; errSeen: number; truncated: boolean };

/** The index line (with its newline) of `r`. */
export function formatRecord(r: CaptureRecord): string {
  switch (r.kind) {
    case "S":
      return `S ${r.taskId} ${r.atMs}\n`;
    case "C":
      return `C ${r.taskId} ${r.stream === "out" ? "o" : "e"} ${r.offset} ${r.length}\n`;
    case "E":
      return `E ${r.taskId} ${r.outSeen} ${r.errSeen} ${r.truncated ? 1 : 0}\n`;
  }
}

const NUM = "(0|[1-9][0-9]*)";
const S_RE = new RegExp(`^S ${NUM} ${NUM}$`);
const C_RE = new RegExp(`^C ${NUM} ([oe]) ${NUM} ${NUM}$`);
const E_RE = new RegExp(`^E ${NUM} ${NUM} ${NUM} ([01])$`);

/** The record of one index line (no newline), or null for the header or anything unknown. */
export function parseRecord(line: string): CaptureRecord | null {
  let m = S_RE.exec(line);
  if (m) return { kind: "S", taskId: Number(m[1]), atMs: Number(m[2]) };
  m = C_RE.exec(line);
  if (m) {
    const stream = m[2] === "o" ? "out" : "err";
    return { kind: "C", taskId: Number(m[1]), stream, offset: Number(m[3]), length: Number(m[4]) };
  }
  m = E_RE.exec(line);
  if (m) {
    return {
      kind: "E",
      taskId: Number(m[1]),
      outSeen: Number(m[2]),
      errSeen: Number(m[3]),
      truncated: m[4] === "1",
    };
  }
  return null;
}

/** A byte range of the data file. */
export interface CaptureChunk {
  offset: number;
  length: number;
}

/** One run of one task on one engine, as far as the index tells. */
export interface CaptureAttempt {
  taskId: number;
  /** When it started (epoch ms). */
  startedMs: number;
  out: CaptureChunk[];
  err: CaptureChunk[];
  /** Its end record, or null while it runs (or when its engine died). */
  end: { outSeen: number; errSeen: number; truncated: boolean } | null;
}

/**
 * Collects tasks' attempts from one index's records, in order: an `S` starts an attempt of its
 * task (a new `S` for the same task, a new attempt); chunks and ends without an `S` before them
 * are ignored.
 */
export class AttemptCollector {
  /** Attempts by task id, oldest first. */
  readonly attempts: Map<number, CaptureAttempt[]> = new Map();
  readonly #only: number | null;
  /** The attempt of each task that has not ended yet. */
  readonly #open = new Map<number, CaptureAttempt>();

  /** Collects every task's attempts, or only those of task `only`. */
  constructor(only: number | null = null) {
    this.#only = only;
  }

  /** Takes the next record of the index. */
  add(r: CaptureRecord): void {
    if (this.#only !== null && r.taskId !== this.#only) return;
    if (r.kind === "S") {
      const a: CaptureAttempt = {
        taskId: r.taskId,
        startedMs: r.atMs,
        out: [],
        err: [],
        end: null,
      };
      this.#open.set(r.taskId, a);
      const list = this.attempts.get(r.taskId);
      if (list) list.push(a);
      else this.attempts.set(r.taskId, [a]);
      return;
    }
    const a = this.#open.get(r.taskId);
    if (!a) return;
    if (r.kind === "C") a[r.stream].push({ offset: r.offset, length: r.length });
    else {
      a.end = { outSeen: r.outSeen, errSeen: r.errSeen, truncated: r.truncated };
      this.#open.delete(r.taskId);
    }
  }
}

/**
 * The attempt to show among a task's attempts (from every engine): the latest that ended, else
 * the latest started (still running, or lost with its engine). Null when there is none.
 */
export function chooseAttempt<A extends CaptureAttempt>(attempts: A[]): A | null {
  let best: A | null = null;
  for (const a of attempts) {
    if (
      best === null || (a.end !== null && best.end === null) ||
      ((a.end === null) === (best.end === null) && a.startedMs >= best.startedMs)
    ) best = a;
  }
  return best;
}

/** Splits appended text into whole lines, keeping an unfinished last line for later. */
export class LineBuffer {
  #rest = "";

  /** The whole lines completed by `text` (without their newlines). */
  push(text: string): string[] {
    const all = this.#rest + text;
    const cut = all.lastIndexOf("\n");
    if (cut < 0) {
      this.#rest = all;
      return [];
    }
    this.#rest = all.slice(cut + 1);
    return all.slice(0, cut).split("\n");
  }
}

/** The ranges holding the last `n` bytes of the stream made of `chunks` (in order). */
export function tailChunks(chunks: CaptureChunk[], n: number): CaptureChunk[] {
  const out: CaptureChunk[] = [];
  let need = n;
  for (let k = chunks.length - 1; k >= 0 && need > 0; k--) {
    const c = chunks[k];
    const take = Math.min(c.length, need);
    out.push({ offset: c.offset + c.length - take, length: take });
    need -= take;
  }
  return out.reverse();
}
