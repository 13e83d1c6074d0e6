/**
 * Splits streamed text into lines. A last line without its newline is never returned: a status
 * file being written, or torn by a crash, ends with such a line, and its record is incomplete.
 * @module
 */

/** Feeds chunks of text in, gets whole lines (without `\n`) out. */
export class LineSplitter {
  #rest = "";

  /** The lines completed by `chunk`. */
  feed(chunk: string): string[] {
    const lines = (this.#rest + chunk).split("\n");
    this.#rest = lines.pop()!;
    return lines;
  }

  /** The unterminated text left at the end (ignored by readers; empty after a final `\n`). */
  get rest(): string {
    return this.#rest;
  }
}
