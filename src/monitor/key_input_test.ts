import assert from "node:assert/strict";
import { parseKeys } from "./key_input.ts";

const keys = (s: string) => parseKeys(new TextEncoder().encode(s));

Deno.test("parseKeys decodes arrows and paging keys in both cursor modes", () => {
  assert.deepEqual(keys("\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[H\x1bOF"), [
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
  ]);
});

Deno.test("parseKeys gives characters, control keys and a lone escape", () => {
  assert.deepEqual(keys("E\x03y\r\x1b"), [
    { char: "E" },
    "ctrl-c",
    { char: "y" },
    "enter",
    "escape",
  ]);
  assert.deepEqual(keys("é"), [{ char: "é" }]);
});

Deno.test("parseKeys skips unknown escape sequences whole", () => {
  // F5 and a mouse report: their letters must not become commands.
  assert.deepEqual(keys("\x1b[15~q\x1b[<0;3;4Mc"), [{ char: "q" }, { char: "c" }]);
  assert.deepEqual(keys("\x7f\x01"), [], "other control bytes are ignored");
});
