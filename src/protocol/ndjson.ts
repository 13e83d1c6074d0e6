/**
 * Newline-delimited JSON framing: one JSON object per line, every line capped in length so a
 * peer cannot make us buffer without bound.
 * @module
 */
import { ProtocolError } from "./protocol_error.ts";

/** Default cap on one encoded message, newline excluded (task commands can be long). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export { ProtocolError };

/** One message as a JSON line, newline included. */
export function jsonLine(message: unknown): string {
  return JSON.stringify(message) + "\n";
}

/**
 * Incremental decoder: feed it chunks as they arrive, get back every complete message.
 * Throws {@link ProtocolError} on an oversized line, invalid JSON, or a non-object value.
 */
export class NdjsonDecoder {
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #decoder = new TextDecoder("utf-8", { fatal: true });
  /** Cap on one line; may be raised once the peer is authenticated. */
  maxLineBytes: number;

  constructor(maxLineBytes: number = MAX_LINE_BYTES) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Adds a chunk and returns the messages it completed, in order. */
  push(chunk: Uint8Array): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(10, from);
      const piece = chunk.subarray(from, nl < 0 ? chunk.length : nl);
      if (this.#partBytes + piece.length > this.maxLineBytes) {
        throw new ProtocolError(`line longer than ${this.maxLineBytes} bytes`);
      }
      if (nl < 0) {
        // Copy: the caller may reuse its read buffer.
        this.#parts.push(piece.slice());
        this.#partBytes += piece.length;
        break;
      }
      let line = piece;
      if (this.#parts.length > 0) {
        this.#parts.push(piece);
        line = concat(this.#parts, this.#partBytes + piece.length);
        this.#parts = [];
        this.#partBytes = 0;
      }
      from = nl + 1;
      if (line.length === 0) continue;
      out.push(this.#parse(line));
    }
    return out;
  }

  #parse(line: Uint8Array): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(this.#decoder.decode(line));
    } catch (cause) {
      throw new ProtocolError("invalid JSON line", { cause });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ProtocolError("message is not a JSON object");
    }
    return value as Record<string, unknown>;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
