/**
 * Streaming line splitting for task sources (spec §4.1): physical lines on `\n`, then
 * "universal newline" logical lines on `\r\n` / `\r` / `\n`. Everything stays bytes.
 * @module
 */

/** Default upper bound for one physical line, so a file without newlines cannot exhaust memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** A physical line is longer than the configured limit. */
export class LineTooLongError extends Error {
  /** 1-based number of the offending physical line. */
  readonly line: number;
  /** The limit in bytes that was exceeded. */
  readonly limit: number;

  /** Builds the error for physical line `line` exceeding `limit` bytes. */
  constructor(line: number, limit: number) {
    super(`line ${line} is longer than ${limit} bytes`);
    this.name = "LineTooLongError";
    this.line = line;
    this.limit = limit;
  }
}

/**
 * Yields the physical lines of `stream` without their `\n`. A final line without newline is
 * yielded; a trailing `\n` does not produce an empty last line; an empty stream yields nothing.
 *
 * Only the current partial line is buffered, so memory is bounded by the longest line, and a
 * chunk is read only when no complete line is left (no read-ahead). Yielded arrays may be
 * views into the buffer a byte stream is read into again: one is valid until the next line is
 * asked for, copy it to keep it. If the consumer stops
 * early (or a line is too long) the stream is cancelled.
 *
 * @throws {LineTooLongError} when a line exceeds `maxLineBytes` (checked before buffering more).
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<Uint8Array> {
  const lines = new StreamLines(stream, maxLineBytes);
  try {
    for (;;) {
      const line = lines.take();
      if (line === null) return;
      if (line === undefined) await lines.read();
      else yield line;
    }
  } finally {
    await lines.close();
  }
}

const EMPTY: Uint8Array = new Uint8Array(0);
/** Size of the buffer a byte stream is read into. */
const READ_BYTES = 256 * 1024;

/**
 * The physical lines of a stream as {@link readLines} yields them, taken one at a time without
 * waiting while the chunk read last holds a whole line: the task source reads a million-line
 * file through this, as a few promise turns per line were a large part of its cost.
 */
export class StreamLines {
  readonly #stream: ReadableStream<Uint8Array>;
  /** Taken at the first read: a source closed before reading leaves its stream alone. */
  #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | null = null;
  /**
   * The one buffer a byte stream (a file's, stdin's) is read into, again and again: a fresh
   * chunk per read, freed only by a later GC, made reading a 50 MB task file grow RSS by
   * 25 MB. Null for other streams (their chunks are kept as given) and before the first read.
   */
  #buffer: ArrayBuffer | null = null;
  readonly #max: number;
  #chunk: Uint8Array = EMPTY;
  #start = 0;
  #parts: Uint8Array[] = [];
  #partLen = 0;
  #taken = 0;
  #done = false;
  #released = false;

  /** Reads `stream` (locked from the first read on); `maxLineBytes`: as readLines. */
  constructor(stream: ReadableStream<Uint8Array>, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#stream = stream;
    this.#max = maxLineBytes;
  }

  /**
   * The next line (a view into the chunk, valid until the next {@link read}, see readLines);
   * null at the end of the stream;
   * undefined when no whole line is left: call {@link read}, then this again.
   *
   * @throws {LineTooLongError} as readLines.
   */
  take(): Uint8Array | null | undefined {
    const chunk = this.#chunk;
    const nl = chunk.indexOf(10, this.#start);
    if (nl >= 0) {
      const len = this.#partLen + nl - this.#start;
      if (len > this.#max) throw new LineTooLongError(this.#taken + 1, this.#max);
      let line = chunk.subarray(this.#start, nl);
      if (this.#partLen > 0) {
        line = concat(this.#parts, line, len);
        this.#parts = [];
        this.#partLen = 0;
      }
      this.#taken++;
      this.#start = nl + 1;
      return line;
    }
    if (this.#start < chunk.length) {
      // The buffer is read into again: the start of the cut line is copied out of it.
      const part = this.#buffer !== null ? chunk.slice(this.#start) : chunk.subarray(this.#start);
      this.#parts.push(part);
      this.#partLen += chunk.length - this.#start;
      this.#chunk = EMPTY;
      this.#start = 0;
      if (this.#partLen > this.#max) throw new LineTooLongError(this.#taken + 1, this.#max);
    }
    if (!this.#done) return undefined;
    if (this.#partLen === 0) return null;
    const last = concat(this.#parts, EMPTY, this.#partLen);
    this.#parts = [];
    this.#partLen = 0;
    return last;
  }

  /** Reads the next chunk (the end, too, which {@link take} then reports). */
  async read(): Promise<void> {
    if (this.#released) throw new TypeError("the lines were closed");
    this.#reader ??= this.#open();
    const { done, value } = this.#buffer !== null
      ? await (this.#reader as ReadableStreamBYOBReader).read(new Uint8Array(this.#buffer))
      : await (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read();
    if (value && this.#buffer !== null) this.#buffer = value.buffer as ArrayBuffer; // transferred
    this.#chunk = EMPTY; // all taken (and detached by a BYOB read)
    this.#start = 0;
    if (done) {
      this.#done = true;
      this.#release();
    } else this.#chunk = value;
  }

  /** A BYOB reader of a byte stream (then with its buffer), else the default reader. */
  #open(): ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader {
    try {
      const reader = this.#stream.getReader({ mode: "byob" });
      this.#buffer = new ArrayBuffer(READ_BYTES);
      return reader;
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      return this.#stream.getReader(); // not a byte stream
    }
  }

  /** Cancels the stream unless it ended, and releases it. */
  async close(): Promise<void> {
    if (this.#released) return;
    if (!this.#done) await this.#reader?.cancel().catch(() => {});
    this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#reader?.releaseLock();
  }
}

function concat(parts: Uint8Array[], last: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(last, at);
  return out;
}

/**
 * Splits `line` like Python's `bytes.splitlines()` restricted to `\r` and `\n`: `\r\n`, lone
 * `\r` and `\n` separate; a trailing separator does not produce an empty last piece, and an
 * empty input gives `[]`. A physical file line never holds `\n`, but a KVS value (§12.4) may.
 * The pieces are views into `line`.
 */
export function splitUniversal(line: Uint8Array): Uint8Array[] {
  let cr = line.indexOf(13);
  let lf = line.indexOf(10);
  if (cr < 0 && lf < 0) return line.length === 0 ? [] : [line];
  const out: Uint8Array[] = [];
  let start = 0;
  while (cr >= 0 || lf >= 0) {
    const sep = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
    out.push(line.subarray(start, sep));
    start = sep === cr && lf === sep + 1 ? sep + 2 : sep + 1;
    if (cr >= 0 && cr < start) cr = line.indexOf(13, start);
    if (lf >= 0 && lf < start) lf = line.indexOf(10, start);
  }
  if (start < line.length) out.push(line.subarray(start));
  return out;
}
