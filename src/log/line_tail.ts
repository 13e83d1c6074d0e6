/**
 * Follows a file that another part of the program appends lines to (the status file): each
 * {@link LineTail.read} returns the complete lines written since the previous one.
 * @module
 */

/** The lines appended to one file. */
export class LineTail {
  readonly #path: string;
  readonly #decoder = new TextDecoder();
  readonly #buf = new Uint8Array(64 * 1024);
  #file: Deno.FsFile | null = null;
  #partial = "";
  #closed = false;

  constructor(path: string) {
    this.#path = path;
  }

  /** Opens the file now; throws when it cannot be (else {@link read} keeps trying). */
  async open(): Promise<void> {
    this.#file ??= await Deno.open(this.#path, { read: true });
  }

  /**
   * Complete lines added since the last call (all of them the first time); none while the file
   * cannot be opened yet. Calls must not overlap (the file position is shared).
   */
  async read(): Promise<string[]> {
    if (this.#closed) return [];
    if (!this.#file) {
      try {
        this.#file = await Deno.open(this.#path, { read: true });
      } catch {
        return [];
      }
    }
    const out: string[] = [];
    for (;;) {
      const n = await this.#file.read(this.#buf);
      if (n === null || n === 0) return out;
      const text = this.#partial + this.#decoder.decode(this.#buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      this.#partial = lines.pop()!;
      out.push(...lines);
    }
  }

  /** Closes the file; later reads return nothing. */
  close(): void {
    this.#closed = true;
    this.#file?.close();
    this.#file = null;
  }
}
