/**
 * Writing a whole text or buffer synchronously: `writeSync` may write only part of it (a pipe
 * or terminal that is full), so the rest is written until nothing is left.
 * @module
 */

const encoder = new TextEncoder();

/** Writes all of `data` (text as UTF-8) to `sink` (a file, `Deno.stdout`, `Deno.stderr`). */
export function writeAllSync(
  sink: { writeSync(p: Uint8Array): number },
  data: string | Uint8Array,
): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  let off = 0;
  while (off < bytes.length) off += sink.writeSync(bytes.subarray(off));
}
