/**
 * JavaScript strings and byte arrays laid out as C wants them (`char *`, NULL-terminated
 * `char *[]`), in off-heap buffers whose addresses are handed to C through FFI.
 * @module
 */

const encoder = new TextEncoder();

/** Bytes of `s` plus a terminating NUL, in an off-heap buffer (its address is handed to C). */
export function cString(s: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = typeof s === "string" ? encoder.encode(s) : s;
  const out = new Uint8Array(new ArrayBuffer(bytes.length + 1));
  out.set(bytes);
  return out;
}

/**
 * Writes the first `n` addresses `base + offsets[i]` into `words` (64 bits each, little-endian),
 * then NULL. Addresses are below 2^53, so the halves are written as numbers: BigInt arithmetic
 * here was a visible share of a trivial task's cost.
 */
function writePointers(words: Uint32Array, base: number, offsets: number[], n: number): void {
  for (let i = 0; i < n; i++) {
    const p = base + offsets[i];
    words[2 * i] = p % 0x1_0000_0000;
    words[2 * i + 1] = Math.floor(p / 0x1_0000_0000);
  }
  words[2 * n] = 0;
  words[2 * n + 1] = 0;
}

/**
 * Builds NULL-terminated `char *[]` arrays in two off-heap buffers kept from one build to the
 * next (grown when too small): a spawn per task then allocates no buffer for its argv or
 * environment. An array is built by {@link begin}, one {@link add}, {@link addText} or
 * {@link addPair} per entry, and {@link end}; what `end` returns is valid until the next
 * `begin`, and C must be done with it by then (`posix_spawn` is: its child has `exec`ed or
 * failed when it returns).
 */
export class StringArrayBuilder {
  #strings = new Uint8Array(new ArrayBuffer(0));
  #stringsAt = 0;
  #words = new Uint32Array(new ArrayBuffer(0));
  #pointers = new Uint8Array(new ArrayBuffer(0));
  /** Where each entry of the array being built starts in #strings. */
  readonly #offsets: number[] = [];
  #count = 0;
  #at = 0;

  /** Starts a new array (the previous one is overwritten). */
  begin(): void {
    this.#count = 0;
    this.#at = 0;
  }

  /** Appends `bytes` as the next entry. */
  add(bytes: Uint8Array): void {
    const at = this.#at;
    this.#reserve(at + bytes.length + 1);
    this.#strings.set(bytes, at);
    this.#strings[at + bytes.length] = 0;
    this.#offsets[this.#count++] = at;
    this.#at = at + bytes.length + 1;
  }

  /** Appends `text`, UTF-8 encoded, as the next entry (no intermediate buffer). */
  addText(text: string): void {
    const at = this.#at;
    this.#reserve(at + 3 * text.length + 1);
    const end = this.#put(text, at);
    this.#strings[end] = 0;
    this.#offsets[this.#count++] = at;
    this.#at = end + 1;
  }

  /** Appends `name=value` as the next entry (an environment variable), encoded in place. */
  addPair(name: string, value: string): void {
    const at = this.#at;
    this.#reserve(at + 3 * (name.length + value.length) + 2);
    let end = this.#put(name, at);
    this.#strings[end++] = 0x3d; // "="
    end = this.#put(value, end);
    this.#strings[end] = 0;
    this.#offsets[this.#count++] = at;
    this.#at = end + 1;
  }

  /** Writes `text` as UTF-8 at `at` (room reserved); returns where it ends. */
  #put(text: string, at: number): number {
    const strings = this.#strings;
    let end = at;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return at + encoder.encodeInto(text, strings.subarray(at)).written;
      strings[end++] = c;
    }
    return end;
  }

  /** The array of the entries added since {@link begin}: their pointers, then NULL. */
  end(): Uint8Array<ArrayBuffer> {
    const n = this.#count;
    if (2 * (n + 1) > this.#words.length) {
      this.#words = new Uint32Array(new ArrayBuffer(8 * grown(this.#words.length / 2, n + 1)));
      this.#pointers = new Uint8Array(this.#words.buffer);
    }
    writePointers(this.#words, this.#stringsAt, this.#offsets, n);
    return this.#pointers;
  }

  /** `items` as a NULL-terminated `char *[]` (begin, add each, end). */
  build(items: Uint8Array[]): Uint8Array<ArrayBuffer> {
    this.begin();
    for (const e of items) this.add(e);
    return this.end();
  }

  /** Room for `bytes` bytes of strings, keeping those already added. */
  #reserve(bytes: number): void {
    if (bytes <= this.#strings.length) return;
    const bigger = new Uint8Array(new ArrayBuffer(grown(this.#strings.length, bytes)));
    bigger.set(this.#strings.subarray(0, this.#at));
    this.#strings = bigger;
    this.#stringsAt = addressOf(bigger);
  }
}

/** A capacity of at least `need`, doubling from `have` (and at least 64). */
function grown(have: number, need: number): number {
  let n = Math.max(have, 64);
  while (n < need) n *= 2;
  return n;
}

/** The address of `buf`'s first byte. */
export function addressOf(buf: Uint8Array<ArrayBuffer>): number {
  return Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

/** C strings of recent program paths and working directories (they repeat from task to task). */
export class CStringCache {
  #strings = new Map<string, Uint8Array<ArrayBuffer>>();

  /** `s` as a C string, encoded once while it stays among the last few used. */
  get(s: string): Uint8Array<ArrayBuffer> {
    let c = this.#strings.get(s);
    if (c === undefined) {
      if (this.#strings.size >= 16) this.#strings = new Map();
      c = cString(s);
      this.#strings.set(s, c);
    }
    return c;
  }
}
