import assert from "node:assert/strict";
import { LineTail } from "./line_tail.ts";

Deno.test("a tail returns each complete line once, waiting for a line's end", async () => {
  const path = await Deno.makeTempFile();
  await Deno.remove(path);
  const tail = new LineTail(path);
  try {
    assert.deepEqual(await tail.read(), [], "no file yet");
    await assert.rejects(() => tail.open(), Deno.errors.NotFound);
    await Deno.writeTextFile(path, "one\ntwo\nthr");
    assert.deepEqual(await tail.read(), ["one", "two"]);
    assert.deepEqual(await tail.read(), []);
    await Deno.writeTextFile(path, "ee\n" + "x".repeat(100_000) + "\n", { append: true });
    const lines = await tail.read();
    assert.deepEqual(lines.map((l) => l.length), [5, 100_000]);
    assert.equal(lines[0], "three");
    tail.close();
    await Deno.writeTextFile(path, "four\n", { append: true });
    assert.deepEqual(await tail.read(), [], "closed");
  } finally {
    tail.close();
    await Deno.remove(path);
  }
});
