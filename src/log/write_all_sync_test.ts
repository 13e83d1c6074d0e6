import assert from "node:assert/strict";
import { writeAllSync } from "./write_all_sync.ts";

Deno.test("writeAllSync writes everything through short writes", () => {
  const chunks: string[] = [];
  const sink = {
    writeSync(p: Uint8Array): number {
      const n = Math.min(3, p.length);
      chunks.push(new TextDecoder().decode(p.subarray(0, n)));
      return n;
    },
  };
  writeAllSync(sink, "hello, world");
  assert.deepEqual(chunks, ["hel", "lo,", " wo", "rld"]);
  writeAllSync(sink, new Uint8Array());
  assert.equal(chunks.length, 4);
});
