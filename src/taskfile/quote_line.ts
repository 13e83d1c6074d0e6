/**
 * Rendering of a task-file line (raw bytes) inside a one-line message.
 * @module
 */

/** Longest excerpt of a line quoted in a message. */
const MAX_QUOTED_BYTES = 200;
const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * A bounded, single-line rendering of a (possibly non-UTF-8) line for a message: at most
 * 200 bytes (then `…`), control characters and line separators escaped.
 */
export function quoteLine(text: Uint8Array): string {
  const cut = text.length > MAX_QUOTED_BYTES;
  const s = utf8.decode(cut ? text.subarray(0, MAX_QUOTED_BYTES) : text);
  // deno-lint-ignore no-control-regex
  const escaped = s.replace(/[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
  return cut ? `${escaped}…` : escaped;
}
