import assert from "node:assert/strict";
import { addressOf, cString, CStringCache, StringArrayBuilder } from "./c_strings.ts";

Deno.test("cString: the bytes and one NUL, from text or bytes", () => {
  assert.deepEqual([...cString("aé")], [0x61, 0xc3, 0xa9, 0]);
  assert.deepEqual([...cString(new Uint8Array([0xff, 1]))], [0xff, 1, 0]);
  assert.deepEqual([...cString("")], [0]);
});

Deno.test("addressOf: C reads the string at that address", () => {
  const s = cString("hello");
  const view = new Deno.UnsafePointerView(Deno.UnsafePointer.create(BigInt(addressOf(s)))!);
  assert.equal(view.getCString(), "hello");
});

Deno.test("CStringCache: the same buffer for a repeated string, and a bounded size", () => {
  const cache = new CStringCache();
  const first = cache.get("/bin/bash");
  assert.equal(cache.get("/bin/bash"), first);
  for (let i = 0; i < 16; i++) cache.get(`/dir/${i}`);
  // Sixteen others later the cache was renewed: a new (equal) buffer.
  const again = cache.get("/bin/bash");
  assert.notEqual(again, first);
  assert.deepEqual(again, first);
});

/** The C strings a NULL-terminated `char *[]` points to, read as C would. */
function readArray(pointers: Uint8Array<ArrayBuffer>): string[] {
  const words = new BigUint64Array(pointers.buffer);
  const out: string[] = [];
  for (let i = 0; words[i] !== 0n; i++) {
    out.push(new Deno.UnsafePointerView(Deno.UnsafePointer.create(words[i])!).getCString());
  }
  return out;
}

Deno.test("StringArrayBuilder: each build reads back whole, in reused buffers, grown when needed", () => {
  const enc = new TextEncoder();
  const b = new StringArrayBuilder();
  const first = b.build([enc.encode("/bin/bash"), enc.encode("-c"), enc.encode("true")]);
  assert.deepEqual(readArray(first), ["/bin/bash", "-c", "true"]);
  // A shorter one in the same buffers: its NULL ends it, nothing of the first shows through.
  const second = b.build([enc.encode("A=1")]);
  assert.equal(second, first, "the same pointer buffer");
  assert.deepEqual(readArray(second), ["A=1"]);
  assert.deepEqual(readArray(b.build([])), []);
  // Past the first capacity, in entries and in bytes.
  const many = Array.from({ length: 300 }, (_, i) => `V${i}=${"x".repeat(i)}`);
  assert.deepEqual(readArray(b.build(many.map((s) => enc.encode(s)))), many);
  // Entry by entry: text encoded in place (ASCII or not), bytes copied, the buffers growing in
  // the middle of an array without losing what was added before.
  b.begin();
  b.add(enc.encode("A=1"));
  b.addText("B=é€😀");
  const long = "C=" + "y".repeat(100_000);
  b.addText(long);
  b.addText("");
  b.addPair("D", "");
  b.addPair("É", "tâche=1");
  assert.deepEqual(readArray(b.end()), ["A=1", "B=é€😀", long, "", "D=", "É=tâche=1"]);
  // Bytes that are not UTF-8 pass as they are.
  const raw = b.build([new Uint8Array([0xff, 0x41])]);
  const p = new BigUint64Array(raw.buffer)[0];
  const view = new Deno.UnsafePointerView(Deno.UnsafePointer.create(p)!);
  assert.deepEqual([view.getUint8(0), view.getUint8(1), view.getUint8(2)], [0xff, 0x41, 0]);
});
