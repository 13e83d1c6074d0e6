import assert from "node:assert/strict";
import { LineTooLongError, readLines, splitUniversal, StreamLines } from "./line_reader.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** A stream delivering `chunks` as given. */
function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

/** `bytes` cut into chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function collect(stream: ReadableStream<Uint8Array>, max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(stream, max)) out.push(latin1(line));
  return out;
}

Deno.test("readLines: newline handling at the ends of the input", async () => {
  assert.deepEqual(await collect(streamOf([])), []);
  assert.deepEqual(await collect(streamOf([enc("")])), []);
  assert.deepEqual(await collect(streamOf([enc("\n")])), [""]);
  assert.deepEqual(await collect(streamOf([enc("a\nb\n")])), ["a", "b"]);
  assert.deepEqual(await collect(streamOf([enc("a\nb")])), ["a", "b"]);
  assert.deepEqual(await collect(streamOf([enc("a\n\n\nb\n\n")])), ["a", "", "", "b", ""]);
});

Deno.test("readLines: keeps CR, tabs and non-UTF-8 bytes; any chunking gives the same lines", async () => {
  const bytes = new Uint8Array([
    ...enc("echo a\r\necho b\recho c\n\x0b\n  \t \n"),
    0xff,
    0x80,
    10,
    ...enc("last"),
  ]);
  const expected = ["echo a\r", "echo b\recho c", "\x0b", "  \t ", "\xff\x80", "last"];
  for (const size of [1, 2, 3, 7, bytes.length]) {
    assert.deepEqual(await collect(streamOf(chunked(bytes, size))), expected, `chunk ${size}`);
  }
});

Deno.test("readLines: a line longer than the limit throws LineTooLongError with its number", async () => {
  // exactly at the limit is fine, within one chunk and across chunks
  assert.deepEqual(await collect(streamOf([enc("abcd\nxy\n")]), 4), ["abcd", "xy"]);
  assert.deepEqual(await collect(streamOf(chunked(enc("abcd\nxy\n"), 1)), 4), ["abcd", "xy"]);
  for (const chunks of [[enc("ab\nabcde\nx\n")], chunked(enc("ab\nabcde\nx\n"), 2)]) {
    await assert.rejects(collect(streamOf(chunks), 4), (e: unknown) => {
      assert.ok(e instanceof LineTooLongError);
      assert.equal(e.line, 2);
      assert.equal(e.limit, 4);
      return true;
    });
  }
  // an unterminated over-long tail is rejected before the stream ends
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(3).fill(120)),
    cancel: () => {
      cancelled = true;
    },
  });
  await assert.rejects(collect(endless, 10), LineTooLongError);
  assert.ok(cancelled, "the stream is cancelled on error");
});

Deno.test("readLines: yields a line before the next chunk exists (no read-ahead)", async () => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    pull() {
      pulls++;
    },
  }, { highWaterMark: 0 });
  const lines = readLines(stream);
  controller.enqueue(enc("one\ntwo\nthr"));
  assert.equal(latin1((await lines.next()).value), "one");
  assert.equal(latin1((await lines.next()).value), "two");
  assert.equal(pulls, 0, "nothing more was requested while complete lines were buffered");
  const third = lines.next();
  controller.enqueue(enc("ee\n"));
  assert.equal(latin1((await third).value), "three");
  assert.equal(pulls, 1, "more input was requested for the third line");
  controller.close();
  assert.equal((await lines.next()).done, true);
});

Deno.test("readLines: stopping early cancels the stream", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(enc("a\nb\n")),
    cancel: () => {
      cancelled = true;
    },
  });
  for await (const line of readLines(stream)) {
    assert.equal(latin1(line), "a");
    break;
  }
  assert.ok(cancelled);
});

Deno.test("readLines: 1,000,000 lines in 64 KiB chunks stream quickly", async () => {
  const line = enc("echo task number 12345\n");
  const perChunk = Math.floor(65536 / line.length);
  const chunk = new Uint8Array(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) chunk.set(line, i * line.length);
  const chunks = Math.ceil(1_000_000 / perChunk);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ < chunks) c.enqueue(chunk.slice());
      else c.close();
    },
  });
  let count = 0;
  let bytes = 0;
  for await (const l of readLines(stream)) {
    count++;
    bytes += l.length;
  }
  assert.equal(count, chunks * perChunk);
  assert.equal(bytes, count * (line.length - 1));
});

Deno.test("splitUniversal: Python bytes.splitlines() semantics for CR and LF", () => {
  const cases: [string, string[]][] = [
    ["", []],
    ["a", ["a"]],
    ["a\r", ["a"]],
    ["\r", [""]],
    ["a\rb", ["a", "b"]],
    ["a\r\rb", ["a", "", "b"]],
    ["a\r\r", ["a", ""]],
    ["\r\r", ["", ""]],
    ["a\r\nb", ["a", "b"]],
    ["a\n\rb", ["a", "", "b"]],
    ["\r\n", [""]],
    ["a\nb\n", ["a", "b"]],
    ["exit 3\necho two-in-one", ["exit 3", "echo two-in-one"]],
    ["\x0b\x0c\x1c x", ["\x0b\x0c\x1c x"]],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(splitUniversal(enc(input)).map(latin1), expected, JSON.stringify(input));
  }
});

Deno.test("StreamLines: the whole lines of a chunk are taken without reading again", async () => {
  const lines = new StreamLines(streamOf([enc("a\nb\nc"), enc("d\n"), enc("e")]));
  assert.equal(lines.take(), undefined, "nothing read yet");
  await lines.read();
  const taken = [lines.take(), lines.take(), lines.take()];
  assert.deepEqual(taken.map((l) => l && latin1(l)), ["a", "b", undefined]);
  await lines.read();
  assert.equal(latin1(lines.take()!), "cd");
  assert.equal(lines.take(), undefined);
  await lines.read();
  assert.equal(lines.take(), undefined, "the last line waits for the end");
  await lines.read();
  assert.equal(latin1(lines.take()!), "e");
  assert.equal(lines.take(), null);
  await lines.close();
});

Deno.test("StreamLines: closed before reading, the stream is left unread and unlocked", async () => {
  const stream = streamOf([enc("a\n")]);
  await new StreamLines(stream).close();
  assert.equal(stream.locked, false);
  assert.deepEqual(await collect(stream), ["a"]);
});

/** A byte stream (as a file's) giving at most `piece` bytes of `bytes` per read. */
function byteStreamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      const req = c.byobRequest!;
      const view = req.view!;
      if (at >= bytes.length) {
        c.close();
        req.respond(0);
        return;
      }
      const n = Math.min(piece, view.byteLength, bytes.length - at);
      new Uint8Array(view.buffer, view.byteOffset, n).set(bytes.subarray(at, at + n));
      at += n;
      req.respond(n);
    },
  });
}

Deno.test("readLines: a byte stream is read into one buffer again; cut lines are kept whole", async () => {
  const long = "x".repeat(300_000); // longer than the read buffer: cut over several reads
  const short = ["a", "", "bc\r", "def", "last"];
  const lines = ["a", "", "bc\r", long, "def", long + "y", "last"];
  const text = (lines: string[]) => enc(lines.join("\n"));
  const decoded = async (s: ReadableStream<Uint8Array>) => {
    const out: string[] = [];
    for await (const line of readLines(s)) out.push(new TextDecoder().decode(line));
    return out;
  };
  for (const piece of [1, 2, 7]) {
    assert.deepEqual(await decoded(byteStreamOf(text(short), piece)), short, `${piece}`);
  }
  for (const piece of [4096, 100_000, 1 << 20]) {
    assert.deepEqual(await decoded(byteStreamOf(text(lines), piece)), lines, `${piece}`);
  }
  // A line is a view into the buffer: the read for a later line takes it back.
  const got: Uint8Array[] = [];
  for await (const line of readLines(byteStreamOf(enc("a\nb\n"), 2))) got.push(line);
  assert.deepEqual(got.map((l) => l.byteLength), [0, 0]);
});
