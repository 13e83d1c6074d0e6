import assert from "node:assert/strict";
import { LineSplitter } from "./line_splitter.ts";

Deno.test("lines split across chunks are joined; the unterminated end is held back", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.feed("a\tb\nc"), ["a\tb"]);
  assert.deepEqual(s.feed("d\n\ne"), ["cd", ""]);
  assert.deepEqual(s.feed("f"), []);
  assert.equal(s.rest, "ef");
});

Deno.test("a final newline leaves nothing behind", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.feed("x\ny\n"), ["x", "y"]);
  assert.equal(s.rest, "");
});
