import assert from "node:assert/strict";
import { RunFileError } from "../log/run_file_error.ts";
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import { sampleRecord } from "./sample_record.ts";
import { StatusFile } from "./status_file.ts";

const enc = new TextEncoder();
/** An old N line of task `id`, as a skipped task's line is given (no newline). */
const oldLine = (id: number, pad = 0) =>
  enc.encode(formatStatusLine(sampleRecord(id, 0, { command: enc.encode("x".repeat(pad)) })));

Deno.test("StatusFile: S lines are held until a flush or a queued record's flush, then written in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/s`;
    const f = new StatusFile(path, true);
    assert.equal(f.skipLine(oldLine(0)), null);
    assert.equal(f.skipLine(oldLine(1)), null);
    assert.equal(await Deno.readTextFile(path), STATUS_HEADER + "\n", "held");
    assert.equal(f.records, 0);
    f.queue(sampleRecord(2, 1));
    // Read synchronously: an async read could run after the turn's flush (a microtask).
    assert.equal(Deno.readTextFileSync(path), STATUS_HEADER + "\n", "queued for this turn");
    await Promise.resolve(); // the turn's queued lines go out after it
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.deepEqual(lines.map((l) => l.slice(0, 6)), [
      "ROE[ P",
      "   S\t0",
      "   S\t1",
      "R   \t2",
      "",
    ]);
    assert.equal(f.records, 3);
    f.skipLine(oldLine(3));
    assert.equal(f.flush(), null);
    assert.match(await Deno.readTextFile(path), /\n {3}S\t3\t[^\n]*\n$/);
    f.skipLine(oldLine(4));
    f.close();
    assert.match(await Deno.readTextFile(path), /\n {3}S\t4\t[^\n]*\n$/, "close writes the rest");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StatusFile: held lines go out before they would pass 1 MiB; a line longer than that too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/s`;
    const f = new StatusFile(path, false);
    let n = 0;
    while ((await Deno.stat(path)).size === 0) f.skipLine(oldLine(n++, 1000));
    assert.ok(n > 900 && n < 1100, `${n} lines of ~1 KB held`);
    const first = (await Deno.stat(path)).size;
    assert.ok(first <= 1 << 20 && first > (1 << 20) - 1200, `${first}: what fits in 1 MiB`);
    const big = oldLine(n, 3 << 20);
    f.skipLine(big);
    assert.equal(f.flush(), null);
    const text = await Deno.readTextFile(path);
    assert.equal(text.split("\n").length, n + 2);
    assert.ok(text.endsWith("x".repeat(3 << 20) + "\n"));
    f.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StatusFile: held lines that cannot be written are a RunFileError; none after", () => {
  const f = new StatusFile("/dev/full", false);
  try {
    assert.equal(f.skipLine(oldLine(0)), null);
    const error = f.flush();
    assert.ok(error instanceof RunFileError, String(error));
    assert.match(error.message, /^cannot write \/dev\/full: No space left on device/);
    assert.equal(f.skipLine(oldLine(1)), null, "the file takes no more lines");
    assert.equal(f.flush(), null);
    f.queue(sampleRecord(2));
    assert.equal(f.flush(), null);
    assert.equal(f.records, 0);
  } finally {
    f.close();
  }
});

Deno.test("StatusFile: a queued line that cannot be written goes to the onWriteError handler", async () => {
  const f = new StatusFile("/dev/full", false);
  try {
    const errors: RunFileError[] = [];
    f.onWriteError((e) => errors.push(e));
    f.queue(sampleRecord(0));
    f.queue(sampleRecord(1));
    assert.equal(errors.length, 0, "not before the turn ends");
    await Promise.resolve();
    assert.equal(errors.length, 1, "one write for the turn, one error");
    assert.match(errors[0].message, /^cannot write \/dev\/full: No space left on device/);
    f.queue(sampleRecord(2));
    await Promise.resolve();
    assert.equal(errors.length, 1, "the file takes no more lines");
  } finally {
    f.close();
  }
});
