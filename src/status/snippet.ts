/**
 * Output snippet of one task stream (spec §7.4): the first 40 bytes, and when the stream is
 * longer, `...` plus the last min(40, L − 40) bytes, decoded as UTF-8 with replacement.
 * @module
 */

const SIDE = 40;
const ELLIPSIS = new Uint8Array([0x2e, 0x2e, 0x2e]);
const NONE = new Uint8Array(0);
// Python decodes with 'replace' and, unlike TextDecoder's default, keeps a leading BOM.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Streaming collector: counts all bytes but keeps only the head and a rolling tail. */
export class SnippetCollector {
  // Made at the first byte: most tasks of a large run print nothing on one stream or both.
  #head = NONE;
  #headLen = 0;
  // Ring of the last SIDE bytes after the head; #ringNext is where the next byte goes.
  #ring = NONE;
  #ringNext = 0;
  #bytes = 0;

  /** Total number of bytes pushed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#bytes === 0) {
      this.#head = new Uint8Array(SIDE);
      this.#ring = new Uint8Array(SIDE);
    }
    this.#bytes += chunk.length;
    const take = Math.min(SIDE - this.#headLen, chunk.length);
    this.#head.set(chunk.subarray(0, take), this.#headLen);
    this.#headLen += take;
    const rest = chunk.subarray(Math.max(take, chunk.length - SIDE));
    for (const b of rest) {
      this.#ring[this.#ringNext] = b;
      this.#ringNext = (this.#ringNext + 1) % SIDE;
    }
  }

  /** The snippet text (the status file writes its Python `repr`). */
  text(): string {
    if (this.#bytes === 0) return "";
    if (this.#bytes <= SIDE) return decoder.decode(this.#head.subarray(0, this.#headLen));
    const tailLen = Math.min(SIDE, this.#bytes - SIDE);
    const out = new Uint8Array(SIDE + ELLIPSIS.length + tailLen);
    out.set(this.#head);
    out.set(ELLIPSIS, SIDE);
    for (let k = 0; k < tailLen; k++) {
      out[SIDE + ELLIPSIS.length + k] = this.#ring[(this.#ringNext - tailLen + k + SIDE) % SIDE];
    }
    return decoder.decode(out);
  }
}
