/**
 * The records of one or more status files held as compact columns (typed arrays, ~40 bytes a
 * record), so a report over a million tasks keeps no object per record. Only the records a
 * report lists in full (failures, the slowest tasks, barriers) are kept with their text.
 * @module
 */
import type { TaskRecord } from "../status/task_record.ts";
import type { OutputTails } from "./capture_tails.ts";

/** Kind codes of {@link StatusColumns.kind}. */
export const KIND = { N: 0, P: 1, S: 2, Z: 3 } as const;

/** A record kept in full for the report's tables; the command decoded (bad UTF-8 as U+FFFD). */
export type TaskDetail = Omit<TaskRecord, "command"> & {
  command: string;
  /** The end of its captured output, when its run captured it (capture_tails.ts). */
  captured?: OutputTails;
};

/** A barrier line: drawn as a vertical line at its finish (when it was satisfied). */
export interface BarrierMark {
  kind: "B" | "C";
  taskId: number;
  line: number;
  start: number;
  finish: number;
  command: string;
  /** Index of the status file it came from. */
  file: number;
}

/** Failed records kept in full; the report lists at most half as many (some are superseded). */
export const MAX_FAILURE_DETAILS = 2000;
/** How many of the longest normal tasks are kept in full. */
export const SLOWEST_KEPT = 20;

const lenient = new TextDecoder("utf-8");

/** True for an attempt the driver gave up on because its engine was lost (PID −1, rc −100). */
export function isLostAttempt(r: { pid: number; rc: number }): boolean {
  return r.pid === -1 && r.rc === -100;
}

/** Growable columns of N, P, S and Z records, plus barriers and the records kept in full. */
export class StatusColumns {
  size = 0;
  kind = new Uint8Array(1024);
  file = new Uint8Array(1024);
  taskId = new Int32Array(1024);
  line = new Int32Array(1024);
  repeat = new Int32Array(1024);
  host = new Uint32Array(1024);
  rc = new Int32Array(1024);
  /** 1 for a lost attempt ({@link isLostAttempt}). */
  lost = new Uint8Array(1024);
  start = new Float64Array(1024);
  finish = new Float64Array(1024);
  /** Host names; {@link host} holds indices into it. */
  readonly hosts: string[] = [];
  readonly barriers: BarrierMark[] = [];
  /** Failed N and S records in full, by record index (the first {@link MAX_FAILURE_DETAILS}). */
  readonly failures = new Map<number, TaskDetail>();
  /** Whether failed records were left out of {@link failures} for lack of room. */
  failuresTruncated = false;
  /** The {@link SLOWEST_KEPT} longest N records in full, longest first, with their index. */
  readonly slowest: { index: number; detail: TaskDetail }[] = [];
  readonly #hostIndex = new Map<string, number>();

  /** Appends one parsed record of status file number `file` (0-based, < 256). */
  add(r: TaskRecord, file: number): void {
    if (r.kind === "B" || r.kind === "C") {
      this.barriers.push({
        kind: r.kind,
        taskId: r.taskId,
        line: r.line,
        start: r.start,
        finish: r.finish,
        command: lenient.decode(r.command),
        file,
      });
      return;
    }
    if (this.size === this.kind.length) this.#grow();
    const i = this.size++;
    let h = this.#hostIndex.get(r.host);
    if (h === undefined) {
      h = this.hosts.length;
      this.hosts.push(r.host);
      this.#hostIndex.set(r.host, h);
    }
    this.kind[i] = KIND[r.kind];
    this.file[i] = file;
    this.taskId[i] = r.taskId;
    this.line[i] = r.line;
    this.repeat[i] = r.repeat;
    this.host[i] = h;
    this.rc[i] = r.rc;
    this.lost[i] = isLostAttempt(r) ? 1 : 0;
    this.start[i] = r.start;
    this.finish[i] = r.finish;
    if (r.rc !== 0 && (r.kind === "N" || r.kind === "S")) {
      if (this.failures.size < MAX_FAILURE_DETAILS) this.failures.set(i, detailOf(r));
      else this.failuresTruncated = true;
    }
    if (r.kind === "N") this.#considerSlow(i, r);
  }

  #considerSlow(i: number, r: TaskRecord): void {
    const d = r.finish - r.start;
    const s = this.slowest;
    if (
      s.length === SLOWEST_KEPT &&
      !(d > s[s.length - 1].detail.finish - s[s.length - 1].detail.start)
    ) {
      return;
    }
    let at = s.length;
    while (at > 0 && d > s[at - 1].detail.finish - s[at - 1].detail.start) at--;
    s.splice(at, 0, { index: i, detail: detailOf(r) });
    if (s.length > SLOWEST_KEPT) s.pop();
  }

  #grow(): void {
    const n = this.kind.length * 2;
    const grown = <T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.kind = grown(this.kind);
    this.file = grown(this.file);
    this.taskId = grown(this.taskId);
    this.line = grown(this.line);
    this.repeat = grown(this.repeat);
    this.host = grown(this.host);
    this.rc = grown(this.rc);
    this.lost = grown(this.lost);
    this.start = grown(this.start);
    this.finish = grown(this.finish);
  }
}

function detailOf(r: TaskRecord): TaskDetail {
  return { ...r, command: lenient.decode(r.command) };
}
