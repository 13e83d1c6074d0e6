import assert from "node:assert/strict";
import { InputShrankError, lengthChecked } from "./length_checked_stream.ts";

function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(parts.map((p) => new TextEncoder().encode(p)));
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  for await (const c of s.pipeThrough(new TextDecoderStream())) out += c;
  return out;
}

Deno.test("lengthChecked passes a stream of the expected length (or longer) through", async () => {
  assert.equal(await readAll(lengthChecked(chunks("ab\n", "cd\n"), 6)), "ab\ncd\n");
  assert.equal(await readAll(lengthChecked(chunks("ab\n", "cd\n"), 4)), "ab\ncd\n");
  assert.equal(await readAll(lengthChecked(chunks(), 0)), "");
});

Deno.test("lengthChecked errors at the end of a stream shorter than expected", async () => {
  const reader = lengthChecked(chunks("ab\n", "cd"), 10).getReader();
  assert.equal((await reader.read()).value?.length, 3, "bytes before the end still come");
  assert.equal((await reader.read()).value?.length, 2);
  await assert.rejects(reader.read(), (e) => {
    assert.ok(e instanceof InputShrankError);
    assert.equal(e.read, 5);
    assert.equal(e.expected, 10);
    assert.match(e.message, /ends at byte 5 of the 10/);
    return true;
  });
});

Deno.test("lengthChecked reads its input only when asked, and cancels it", async () => {
  let pulls = 0;
  let cancelled = false;
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new Uint8Array(1));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const reader = lengthChecked(input, 100).getReader();
  await reader.read();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pulls, 1);
  await reader.cancel();
  assert.ok(cancelled);
});

Deno.test("lengthChecked of a byte stream (a file's) is one: read into the reader's buffer", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t`;
    await Deno.writeTextFile(path, "ab\ncd\n");
    const readByob = async (expected: number) => {
      const reader = lengthChecked((await Deno.open(path)).readable, expected)
        .getReader({ mode: "byob" });
      let buffer = new ArrayBuffer(4);
      let out = "";
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done) return out;
        out += new TextDecoder().decode(value);
        buffer = value.buffer as ArrayBuffer;
      }
    };
    assert.equal(await readByob(6), "ab\ncd\n");
    assert.equal(await readByob(5), "ab\ncd\n");
    await assert.rejects(readByob(7), (e) => e instanceof InputShrankError && e.read === 6);
    // A default reader gets the bytes too.
    assert.equal(await readAll(lengthChecked((await Deno.open(path)).readable, 6)), "ab\ncd\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
