import assert from "node:assert/strict";
import { quoteLine } from "./quote_line.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("quoteLine escapes control characters and line separators, keeps tabs", () => {
  assert.equal(quoteLine(enc("a\tb\x01c\x7f\u2028d")), "a\tb\\x01c\\x7f\\u2028d");
  assert.equal(quoteLine(Uint8Array.of(0x61, 0xff)), "a\ufffd");
});

Deno.test("quoteLine keeps at most 200 bytes, marked with an ellipsis", () => {
  assert.equal(quoteLine(enc("y".repeat(200))), "y".repeat(200));
  assert.equal(quoteLine(enc("y".repeat(201))), `${"y".repeat(200)}…`);
});
