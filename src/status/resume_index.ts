/**
 * Old status records by task id, for resume (spec §10.1), held compactly: per task id only
 * whether its kept record succeeded and where that record is (which file, which byte offset).
 * A record is read back from its file when the task is skipped or checked, so a resumed
 * million-task run holds ≈ 6 bytes per task instead of a parsed record.
 * @module
 */

import { ResumeLine } from "./resume_line.ts";
import { formatStatusLine, parseIntField, parseStatusLine } from "./status_line.ts";
import type { TaskRecord } from "./task_record.ts";

const NONE = 0;
const FAILED = 1;
const OK = 2;
/** In the dense arrays: the task's record is in the map. */
const ELSEWHERE = 3;

const NL = 0x0a;
const TAB = 0x09;
/** Bytes read from a file at a time, both when indexing and when reading records back. */
const CHUNK = 1 << 20;
/** Task ids from here on are kept in a map, not the dense arrays (a corrupt id costs nothing). */
const DENSE_LIMIT = 1 << 24;
/** Task ids per page of the dense arrays (log2). */
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;
const decoder = new TextDecoder();
/** Positions of a line's TABs (a record has 14). */
const tabs = new Int32Array(15);

/** Where records come from: a file on disk, or lines held in memory (tests, `add`). */
interface Source {
  path: string | null;
  /** The memory source's bytes (grown by `add`), or the file's current read window. */
  bytes: Uint8Array;
  /** Used length of `bytes` (memory) or the window's length (file). */
  length: number;
  /** File offset of `bytes[0]` (0 for memory). */
  windowStart: number;
  file: Deno.FsFile | null;
}

/** The normal-task records of earlier status files, one per task id. */
export class ResumeIndex {
  /**
   * Dense task ids by page of {@link PAGE} ids: a new page is added as ids grow, so the index
   * never copies what it holds nor keeps room for twice the ids (a 10-million-task index grown
   * by doubling was 100 MB, and 150 MB while it copied); a page no id falls in is not made
   * (null). A page's file numbers are kept only once one of its records is in a file other
   * than the first.
   */
  #state: (Uint8Array | null)[] = [];
  #source: (Uint8Array | null)[] = [];
  #offset: (Uint32Array | null)[] = [];
  #sparse = new Map<number, [state: number, source: number, offset: number]>();
  /** One bit per dense task id: its kept line was found canonical and matching ({@link remember}). */
  #checked = new Uint8Array(0);
  #size = 0;
  #sources: Source[] = [];
  #memory: number | null = null;

  /**
   * Adds a parsed record. Only kind N counts (per-engine, barrier, zombie and skipped lines are
   * ignored). For a repeated task id a success replaces a failure; otherwise the first record
   * stays (Python kept the smallest rc, so −9/−100 beat 0 — bug B12).
   */
  add(r: TaskRecord): void {
    if (r.kind !== "N") return;
    if (this.#memory === null) {
      this.#memory = this.#sources.push({
        path: null,
        bytes: new Uint8Array(4096),
        length: 0,
        windowStart: 0,
        file: null,
      }) - 1;
    }
    const m = this.#sources[this.#memory];
    const line = new TextEncoder().encode(formatStatusLine(r) + "\n");
    if (m.length + line.length > m.bytes.length) {
      const grown = new Uint8Array(Math.max(m.bytes.length * 2, m.length + line.length));
      grown.set(m.bytes.subarray(0, m.length));
      m.bytes = grown;
    }
    m.bytes.set(line, m.length);
    this.#note(r.taskId, r.rc === 0, this.#memory, m.length);
    m.length += line.length;
  }

  /**
   * Adds the records of a status file's text (ours or Python disBatch's); lines that are not
   * records are ignored. A last line without its newline is ignored too, and returned: it is
   * a write that was cut short (a crash, a full disk), and its command may be cut, so it must
   * never match or skip a task.
   */
  addText(text: string): string | null {
    const end = text.lastIndexOf("\n") + 1;
    for (const line of text.slice(0, end).split("\n")) {
      if (line === "") continue;
      const r = parseStatusLine(line);
      if (r) this.add(r);
    }
    return end < text.length ? text.slice(end) : null;
  }

  /**
   * Adds the records of the status file `path`, streamed: only the fields that decide (flags,
   * task id, return code) are read now. Returns the unterminated last line (see
   * {@link addText}), or null. Throws the OS error of a file that cannot be read.
   */
  async addFile(path: string): Promise<string | null> {
    const index = this.#sources.push({
      path,
      bytes: new Uint8Array(0),
      length: 0,
      windowStart: -1,
      file: null,
    }) - 1;
    using file = await Deno.open(path);
    // buf[0, have): the start of a line cut by the previous read, then what this one read.
    let buf = new Uint8Array(CHUNK);
    let have = 0;
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (have === buf.length) {
        const grown = new Uint8Array(buf.length * 2); // a line longer than the buffer
        grown.set(buf);
        buf = grown;
      }
      const n = await file.read(buf.subarray(have));
      if (n === null) break;
      const end = have + n;
      let start = 0;
      for (let nl = buf.indexOf(NL, have); nl >= 0 && nl < end; nl = buf.indexOf(NL, start)) {
        this.#indexLine(buf, start, nl, index, base + start);
        start = nl + 1;
      }
      buf.copyWithin(0, start, end);
      have = end - start;
      base += start;
    }
    return have > 0 ? decoder.decode(buf.subarray(0, have)) : null;
  }

  /** The record kept for a task id. */
  get(taskId: number): TaskRecord | undefined {
    const at = this.#lookup(taskId);
    return at ? this.#read(at[1], at[2], false)?.record() ?? undefined : undefined;
  }

  /**
   * The line that lets a resumed run skip the task, or undefined when the task must run: it
   * has no record, or it failed and `retryFailed` (`-R`) asks to run failures again. The line
   * refers to a read buffer: it is valid until the next call of a method of this index.
   */
  skippable(taskId: number, retryFailed: boolean): ResumeLine | undefined {
    const at = this.#lookup(taskId);
    if (!at || (retryFailed && at[0] !== OK)) return undefined;
    return this.#read(at[1], at[2], this.#isChecked(taskId));
  }

  /**
   * Notes that the kept line of `taskId` is canonical (ResumeLine.canonical) and matched the
   * task: the check of a task file before its run calls this, so that the run, reading the
   * same line again, does not prove its round trip again (it still compares the task).
   */
  remember(taskId: number): void {
    if (taskId < 0 || taskId >= this.#dense) return;
    const state = this.#state[taskId >>> PAGE_BITS]?.[taskId & PAGE_MASK] ?? NONE;
    if (state === ELSEWHERE || state === NONE) return;
    const byte = taskId >> 3;
    if (byte >= this.#checked.length) {
      const grown = new Uint8Array(this.#dense >> 3);
      grown.set(this.#checked);
      this.#checked = grown;
    }
    this.#checked[byte] |= 1 << (taskId & 7);
  }

  #isChecked(taskId: number): boolean {
    const byte = taskId >> 3;
    return byte < this.#checked.length && (this.#checked[byte] & (1 << (taskId & 7))) !== 0;
  }

  /** Number of distinct task ids. */
  get size(): number {
    return this.#size;
  }

  /** Closes the files that records were read back from. */
  close(): void {
    for (const s of this.#sources) {
      s.file?.close();
      s.file = null;
    }
  }

  /** Indexes the line `data[start, end)` found at file offset `offset`, if it is a record. */
  #indexLine(data: Uint8Array, start: number, end: number, source: number, offset: number): void {
    // Fields 0 (flags), 1 (task id) and 6 (return code); a record has exactly 15 fields. The
    // other fields are checked when the record is read back (a bad one then runs the task).
    let count = 0;
    for (let i = start; i < end && count < 14; i++) if (data[i] === TAB) tabs[count++] = i;
    if (count !== 14) return;
    // The kind, as parseStatusLine decides it: only normal records count.
    if (tabs[0] - start < 4) return;
    const f0 = data[start];
    const f3 = data[start + 3];
    if (f3 === 0x50 || f3 === 0x53 || f3 === 0x5a) return; // P S Z
    if (f0 !== 0x20 && f0 !== 0x52 && f0 !== 0x4e) return; // a barrier (B, C) or not a record
    const taskId = intField(data, tabs[0] + 1, tabs[1]);
    const rc = intField(data, tabs[5] + 1, tabs[6]);
    if (taskId === null || rc === null) return;
    this.#note(taskId, rc === 0, source, offset);
  }

  /** Task ids the dense pages cover: [0, #dense). */
  get #dense(): number {
    return this.#state.length << PAGE_BITS;
  }

  /** Keeps (source, offset) as the record of `taskId` unless a better one is kept already. */
  #note(taskId: number, ok: boolean, source: number, offset: number): void {
    const state = ok ? OK : FAILED;
    if (taskId < 0 || !Number.isSafeInteger(taskId)) return;
    const dense = taskId < DENSE_LIMIT;
    const page = taskId >>> PAGE_BITS;
    const slot = taskId & PAGE_MASK;
    if (dense) this.#page(page);
    let kept = dense ? this.#state[page]![slot] : NONE;
    if (kept === ELSEWHERE || !dense) kept = this.#sparse.get(taskId)?.[0] ?? NONE;
    if (kept === NONE) this.#size++;
    else if (!(kept === FAILED && ok)) return;
    if (this.#isChecked(taskId)) this.#checked[taskId >> 3] &= ~(1 << (taskId & 7));
    // What the dense arrays cannot hold (an offset past 4 GiB, the 256th file) goes to the map.
    if (dense && offset <= 0xffffffff && source <= 0xff) {
      if (this.#state[page]![slot] === ELSEWHERE) this.#sparse.delete(taskId);
      this.#state[page]![slot] = state;
      if (source !== 0 || this.#source[page] !== null) {
        (this.#source[page] ??= new Uint8Array(PAGE))[slot] = source;
      }
      this.#offset[page]![slot] = offset;
      return;
    }
    if (dense) this.#state[page]![slot] = ELSEWHERE;
    this.#sparse.set(taskId, [state, source, offset]);
  }

  /** Makes page `page` (and the null ones before it). */
  #page(page: number): void {
    while (this.#state.length <= page) {
      this.#state.push(null);
      this.#source.push(null);
      this.#offset.push(null);
    }
    if (this.#state[page] !== null) return;
    this.#state[page] = new Uint8Array(PAGE);
    this.#offset[page] = new Uint32Array(PAGE);
  }

  #lookup(taskId: number): [number, number, number] | undefined {
    if (taskId >= 0 && taskId < this.#dense) {
      const page = taskId >>> PAGE_BITS;
      const slot = taskId & PAGE_MASK;
      const s = this.#state[page]?.[slot] ?? NONE;
      if (s !== ELSEWHERE) {
        return s === NONE
          ? undefined
          : [s, this.#source[page]?.[slot] ?? 0, this.#offset[page]![slot]];
      }
    }
    return this.#sparse.get(taskId);
  }

  /**
   * Reads the record's line back from its source (`checked`: see {@link remember}); undefined
   * when it is not a record.
   */
  #read(source: number, offset: number, checked: boolean): ResumeLine | undefined {
    const s = this.#sources[source];
    const from = offset - s.windowStart;
    let nl = from >= 0 && from < s.length ? s.bytes.indexOf(NL, from) : -1;
    if (s.path !== null && (nl < 0 || nl >= s.length)) {
      this.#window(s, offset);
      nl = s.bytes.indexOf(NL, 0);
      return this.#line(s, 0, nl, checked);
    }
    return this.#line(s, from, nl, checked);
  }

  #line(s: Source, from: number, nl: number, checked: boolean): ResumeLine | undefined {
    const line = new ResumeLine(s.bytes, from, nl < 0 || nl >= s.length ? s.length : nl, checked);
    return line.valid ? line : undefined;
  }

  /**
   * Makes the file's read window start with the whole line at `offset`. Records are mostly
   * asked for in the order they were written, so a window read serves thousands of them.
   */
  #window(s: Source, offset: number): void {
    s.file ??= Deno.openSync(s.path!);
    let size = Math.max(CHUNK, s.bytes.length);
    for (;;) {
      // One buffer per file, read into again (fresh ones, freed late, made RSS grow by tens of MB).
      const bytes = s.bytes.length === size ? s.bytes : new Uint8Array(size);
      s.file.seekSync(offset, Deno.SeekMode.Start);
      let length = 0;
      while (length < size) {
        const n = s.file.readSync(bytes.subarray(length));
        if (n === null) break;
        length += n;
      }
      s.bytes = bytes;
      s.length = length;
      s.windowStart = offset;
      // A line longer than the window (a huge command): read again with room for it.
      if (length < size || bytes.subarray(0, length).indexOf(NL) >= 0) return;
      size *= 2;
    }
  }
}

/** An integer field as parseStatusLine reads it: plain digits fast, anything else as Python. */
function intField(data: Uint8Array, start: number, end: number): number | null {
  let i = start;
  let sign = 1;
  if (data[i] === 0x2d) {
    sign = -1;
    i++;
  }
  let v = 0;
  let plain = i < end && end - i <= 15;
  for (; plain && i < end; i++) {
    const d = data[i] - 0x30;
    if (d < 0 || d > 9) plain = false;
    else v = v * 10 + d;
  }
  return plain ? sign * v : parseIntField(decoder.decode(data.subarray(start, end)));
}
