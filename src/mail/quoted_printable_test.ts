import assert from "node:assert/strict";
import { quotedPrintable } from "./quoted_printable.ts";

/** The decoder every mail reader applies. */
function decode(qp: string): string {
  const soft = qp.replace(/=\r\n/g, "").replace(/\r\n/g, "\n");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=") {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

Deno.test("quotedPrintable keeps plain text readable and escapes the rest", () => {
  assert.equal(quotedPrintable("Last 2:\n\nok\n"), "Last 2:\r\n\r\nok\r\n");
  assert.equal(quotedPrintable("a=b\tc é"), "a=3Db\tc =C3=A9");
  assert.equal(quotedPrintable("trailing \ntab\t"), "trailing=20\r\ntab=09");
});

Deno.test("quotedPrintable lines stay within 76 characters and decode back", () => {
  const text = "R  \t3\t4\t-1\tnode1\t" + "x".repeat(2000) + "=é\n" + "short\n";
  const qp = quotedPrintable(text);
  for (const l of qp.split("\r\n")) assert.ok(l.length <= 76, `${l.length}: ${l}`);
  assert.match(qp, /^[\x20-\x7e\r\n\t]*$/, "7-bit only");
  assert.equal(decode(qp), text);
});
