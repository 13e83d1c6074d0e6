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

/** Entries as consecutive NUL-terminated strings in one off-heap buffer, and their offsets. */
export function packStrings(
  items: Uint8Array[],
): { strings: Uint8Array<ArrayBuffer>; offsets: number[] } {
  let total = 0;
  for (const e of items) total += e.length + 1;
  const strings = new Uint8Array(new ArrayBuffer(Math.max(total, 1)));
  const offsets: number[] = [];
  let at = 0;
  for (const e of items) {
    strings.set(e, at);
    offsets.push(at);
    at += e.length + 1;
  }
  return { strings, offsets };
}

/**
 * A NULL-terminated `char *[]` pointing into `strings` (NUL-terminated entries laid end to end),
 * whose address is `base`. Addresses are below 2^53, so the halves are written as numbers:
 * BigInt arithmetic here was a visible share of a trivial task's cost.
 */
export function pointerArray(base: number, offsets: number[]): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(new ArrayBuffer(8 * (offsets.length + 1)));
  for (let i = 0; i < offsets.length; i++) {
    const p = base + offsets[i];
    words[2 * i] = p % 0x1_0000_0000;
    words[2 * i + 1] = Math.floor(p / 0x1_0000_0000);
  }
  return new Uint8Array(words.buffer);
}

/**
 * `items` as a NULL-terminated `char *[]` (`pointers`) into one buffer holding them (`strings`):
 * both must stay referenced until C is done with them.
 */
export function stringArray(
  items: Uint8Array[],
): { pointers: Uint8Array<ArrayBuffer>; strings: Uint8Array<ArrayBuffer> } {
  const { strings, offsets } = packStrings(items);
  return { pointers: pointerArray(addressOf(strings), offsets), strings };
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
