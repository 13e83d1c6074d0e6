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
 * views into the stream's chunks: copy them if they are kept for long. If the consumer stops
 * early (or a line is too long) the stream is cancelled.
 *
 * @throws {LineTooLongError} when a line exceeds `maxLineBytes` (checked before buffering more).
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let partLen = 0;
  let yielded = 0;
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      let start = 0;
      let nl = value.indexOf(10);
      while (nl >= 0) {
        const len = partLen + nl - start;
        if (len > maxLineBytes) throw new LineTooLongError(yielded + 1, maxLineBytes);
        let line = value.subarray(start, nl);
        if (partLen > 0) {
          line = concat(parts, line, len);
          parts = [];
          partLen = 0;
        }
        yielded++;
        yield line;
        start = nl + 1;
        nl = value.indexOf(10, start);
      }
      if (start < value.length) {
        parts.push(value.subarray(start));
        partLen += value.length - start;
        if (partLen > maxLineBytes) throw new LineTooLongError(yielded + 1, maxLineBytes);
      }
    }
    finished = true;
    if (partLen > 0) yield concat(parts, new Uint8Array(0), partLen);
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
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
