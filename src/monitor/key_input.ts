/**
 * Keys from a terminal in raw mode: the escape sequences of arrows and paging keys (both the
 * normal `ESC [` and the application-mode `ESC O` forms), control keys, plain characters.
 * @module
 */

/** A decoded key: a named key or one printable character. */
export type Key =
  | "up"
  | "down"
  | "pageup"
  | "pagedown"
  | "home"
  | "end"
  | "enter"
  | "escape"
  | "ctrl-c"
  | { char: string };

const SEQUENCES: [string, Key][] = [
  ["\x1b[A", "up"],
  ["\x1bOA", "up"],
  ["\x1b[B", "down"],
  ["\x1bOB", "down"],
  ["\x1b[5~", "pageup"],
  ["\x1b[6~", "pagedown"],
  ["\x1b[H", "home"],
  ["\x1bOH", "home"],
  ["\x1b[1~", "home"],
  ["\x1b[F", "end"],
  ["\x1bOF", "end"],
  ["\x1b[4~", "end"],
];

/** Decodes what one read returned (a read holds whole sequences in practice). */
export function parseKeys(bytes: Uint8Array): Key[] {
  const text = new TextDecoder().decode(bytes);
  const keys: Key[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === "\x1b") {
      const hit = SEQUENCES.find(([seq]) => text.startsWith(seq, i));
      if (hit) {
        keys.push(hit[1]);
        i += hit[0].length;
        continue;
      }
      // An unknown sequence is skipped whole, so its letters are not taken for commands.
      // deno-lint-ignore no-control-regex
      const m = /^\x1b(?:\[[0-?]*[ -\/]*[@-~]|O.)/.exec(text.slice(i));
      if (m) {
        i += m[0].length;
        continue;
      }
      keys.push("escape");
      i++;
      continue;
    }
    const c = text.codePointAt(i)!;
    const ch = String.fromCodePoint(c);
    i += ch.length;
    if (c === 3) keys.push("ctrl-c");
    else if (c === 13 || c === 10) keys.push("enter");
    else if (c >= 32 && c !== 127) keys.push({ char: ch });
  }
  return keys;
}
