import assert from "node:assert/strict";
import { LineTooLongError } from "./line_reader.ts";
import type { TaskItem } from "./task_item.ts";
import { TaskFileError, type TaskFileWarning } from "./task_parser.ts";
import { checkTaskFile, TaskSource } from "./task_source.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { lengthChecked } from "./length_checked_stream.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

type Row = (string | number | null)[];

function row(item: TaskItem | null): Row | null {
  if (item === null) return null;
  switch (item.kind) {
    case "N":
      return ["N", item.taskId, item.line, item.repeat, latin1(item.command)];
    case "B":
    case "C":
      return [item.kind, item.taskId, item.line, item.key && latin1(item.key), latin1(item.text)];
    case "START":
    case "STOP":
      return [item.kind, item.index, item.line, latin1(item.command)];
    case "PEND":
      return ["PEND"];
  }
}

async function drain(source: TaskSource): Promise<Row[]> {
  const rows: Row[] = [];
  for (let item = await source.next(); item; item = await source.next()) rows.push(row(item)!);
  return rows;
}

/** A stream of `bytes` in chunks of `size`, recording whether it was cancelled. */
function streamOf(bytes: Uint8Array, size = bytes.length || 1) {
  const state = { cancelled: false };
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

/** Settles with the promise's value, or "timeout" after `ms` (so a deadlock fails, not hangs). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  return await exitedWithin(p, ms) ? await p : "timeout";
}

Deno.test("A10 from a byte stream in odd chunks, with the line counter", async () => {
  const bytes = enc("echo a\r\necho b\recho c\n\x0b\necho \x0cd\n  \t \necho last");
  for (const size of [1, 5, bytes.length]) {
    const source = new TaskSource(streamOf(bytes, size).stream, { file: "Tasks" });
    assert.equal(source.lineNumber, 0);
    assert.deepEqual(await drain(source), [
      ["PEND"],
      ["N", 0, 1, -1, "echo a"],
      ["N", 1, 2, -1, "echo b"],
      ["N", 2, 2, -1, "echo c"],
      ["N", 3, 4, -1, "echo \x0cd"],
      ["N", 4, 6, -1, "echo last"],
    ]);
    assert.equal(source.lineNumber, 6);
    assert.equal(await source.next(), null);
  }
});

Deno.test("A16/A18 task file: per-engine item, REPEAT instances, barrier", async () => {
  const file = [
    "#DISBATCH PERENGINE START echo pe",
    "#DISBATCH REPEAT 3 start 1 [ $DISBATCH_REPEAT_INDEX -ne 2 ]",
    "#DISBATCH BARRIER",
    "echo last",
    "echo new",
    "",
  ].join("\n");
  const cmd = "[ $DISBATCH_REPEAT_INDEX -ne 2 ]";
  assert.deepEqual(await drain(new TaskSource(streamOf(enc(file)).stream, { file: "Tasks" })), [
    ["START", 0, 1, "echo pe"],
    ["PEND"],
    ["N", 0, 2, 1, cmd],
    ["N", 1, 2, 2, cmd],
    ["N", 2, 2, 3, cmd],
    ["B", 3, 3, null, "#DISBATCH BARRIER"],
    ["N", 4, 4, -1, "echo last"],
    ["N", 5, 5, -1, "echo new"],
  ]);
});

Deno.test("§12.4: each submitted value is one line number, and may hold several lines", async () => {
  async function* values() {
    for (const v of ["echo one", "exit 3\necho two-in-one", "#DISBATCH BARRIER", "echo after"]) {
      yield enc(v);
    }
  }
  const source = new TaskSource(values(), { file: "STREAM" });
  assert.deepEqual(await drain(source), [
    ["PEND"],
    ["N", 0, 1, -1, "echo one"],
    ["N", 1, 2, -1, "exit 3"],
    ["N", 2, 2, -1, "echo two-in-one"],
    ["B", 3, 3, null, "#DISBATCH BARRIER"],
    ["N", 4, 4, -1, "echo after"],
  ]);
});

Deno.test("no look-ahead: each item is released before the next input exists", async () => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }, {
    highWaterMark: 0,
  });
  const source = new TaskSource(stream, { file: "<stdin>" });
  controller.enqueue(enc("echo a\n"));
  assert.deepEqual(row(await within(source.next(), 2000) as TaskItem), ["PEND"]);
  assert.deepEqual(row(await within(source.next(), 2000) as TaskItem), ["N", 0, 1, -1, "echo a"]);
  const pending = source.next();
  assert.equal(await within(pending, 50), "timeout", "waits for input that was not sent");
  controller.enqueue(enc("#DISBATCH REPEAT 2 r\n"));
  assert.deepEqual(row(await within(pending, 2000) as TaskItem), ["N", 1, 2, 0, "r"]);
  assert.deepEqual(row(await within(source.next(), 2000) as TaskItem), ["N", 2, 2, 1, "r"]);
  assert.equal(source.lineNumber, 2);
  const end = source.next();
  controller.close();
  assert.equal(await within(end, 2000), null);

  // the same for a KVS-like source: the last submission runs before DONE arrives
  const queue: ((v: IteratorResult<Uint8Array>) => void)[] = [];
  const kvs: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({ next: () => new Promise((r) => queue.push(r)) }),
  };
  const fromKvs = new TaskSource(kvs, { file: "STREAM" });
  const first = fromKvs.next();
  queue.shift()!({ done: false, value: enc("echo only") });
  assert.deepEqual(row(await within(first, 2000) as TaskItem), ["PEND"]);
  assert.deepEqual(row(await within(fromKvs.next(), 2000) as TaskItem), [
    "N",
    0,
    1,
    -1,
    "echo only",
  ]);
  const done = fromKvs.next();
  queue.shift()!({ done: true, value: undefined });
  assert.equal(await within(done, 2000), null);
});

Deno.test("strict mode: items before the bad line, then the error (again on retry)", async () => {
  const { stream, state } = streamOf(enc("echo a\n\n#DISBATCH FOO\necho b\n"), 4);
  const source = new TaskSource(stream, { file: "Tasks" });
  assert.deepEqual(row(await source.next()), ["PEND"]);
  assert.deepEqual(row(await source.next()), ["N", 0, 1, -1, "echo a"]);
  const error = await source.next().catch((e) => e);
  assert.ok(error instanceof TaskFileError);
  assert.equal(error.message, "Tasks:3: unknown #DISBATCH directive: #DISBATCH FOO");
  assert.equal(await source.next().catch((e) => e), error);
  assert.ok(state.cancelled, "the input is released");
});

Deno.test("lenient late PERENGINE: the source ends there and stops reading", async () => {
  const warnings: TaskFileWarning[] = [];
  const { stream, state } = streamOf(
    enc("echo t0\n#DISBATCH PERENGINE START echo late\necho t2\necho t3\n"),
    8,
  );
  const source = new TaskSource(stream, {
    file: "Tasks",
    lenient: true,
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(await drain(source), [["PEND"], ["N", 0, 1, -1, "echo t0"]]);
  assert.equal(source.lineNumber, 2);
  assert.ok(state.cancelled);
  assert.deepEqual(warnings.map((w) => [w.line, w.message]), [
    [2, "Per-engine tasks not permitted after normal tasks."],
  ]);
});

Deno.test("an over-long line is a TaskFileError caused by LineTooLongError", async () => {
  const { stream } = streamOf(enc("echo a\necho 123456789\n"), 3);
  const source = new TaskSource(stream, { file: "Tasks", maxLineBytes: 8 });
  assert.deepEqual(row(await source.next()), ["PEND"]);
  assert.deepEqual(row(await source.next()), ["N", 0, 1, -1, "echo a"]);
  const error = await source.next().catch((e) => e);
  assert.ok(error instanceof TaskFileError);
  assert.equal(error.message, "Tasks:2: line longer than 8 bytes");
  assert.ok(error.cause instanceof LineTooLongError);
});

Deno.test("close() releases the input mid-way", async () => {
  const { stream, state } = streamOf(enc("a\nb\nc\n"), 2);
  const source = new TaskSource(stream, { file: "f" });
  await source.next();
  await source.close();
  assert.ok(state.cancelled);
  assert.equal(await source.next(), null);
});

Deno.test("REPEAT 1000000 is pulled lazily, one item per call", async () => {
  const { stream } = streamOf(enc("#DISBATCH REPEAT 1000000 start 1 run\necho end\n"));
  const source = new TaskSource(stream, { file: "f" });
  let count = 0;
  let last: TaskItem | null = null;
  for (let item = await source.next(); item; item = await source.next()) {
    if (item.kind === "N") {
      count++;
      last = item;
    }
    // the line after the REPEAT is read only after all its instances were taken
    if (item.kind === "N" && item.taskId < 1_000_000) assert.equal(source.lineNumber, 1);
  }
  assert.equal(count, 1_000_001);
  assert.deepEqual(row(last), ["N", 1_000_000, 2, -1, "echo end"]);
});

Deno.test("a generated 200,000-line stream parses completely (speed: deno task bench, scale)", async () => {
  const lines = 200_000;
  const text = (i: number) =>
    i % 1000 === 0
      ? "#DISBATCH BARRIER\n"
      : i % 777 === 0
      ? "# comment\n"
      : `python3 work.py --input data/${i}.h5 --seed ${i * 7}\n`;
  let next = 1;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (next > lines) return c.close();
      let chunk = "";
      while (next <= lines && chunk.length < 60_000) chunk += text(next++);
      c.enqueue(enc(chunk));
    },
  });
  const source = new TaskSource(stream, { file: "big" });
  let items = 0;
  let last: TaskItem | null = null;
  for (let item = await source.next(); item; item = await source.next()) {
    items++;
    last = item;
  }
  const comments = Math.floor(lines / 777) - Math.floor(lines / (777 * 1000));
  assert.equal(items, lines - comments + 1);
  assert.deepEqual(row(last), ["B", lines - comments - 1, lines, null, "#DISBATCH BARRIER"]);
  assert.equal(source.lineNumber, lines);
});

Deno.test("checkTaskFile: reports a bad line deep in the file; REPEAT is not expanded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/good`;
    const body = Array.from({ length: 100_000 }, (_, i) => `echo ${i}\n`).join("");
    await Deno.writeTextFile(good, `#DISBATCH REPEAT 1000000000000 x\n${body}`);
    await checkTaskFile(good);

    const bad = `${dir}/bad`;
    await Deno.writeTextFile(bad, `${body}#DISBATCH BARRIER\n#DISBATCH REPEAT 3echo\necho\n`);
    const error = await checkTaskFile(bad).catch((e) => e);
    assert.ok(error instanceof TaskFileError);
    assert.equal(
      error.message,
      `${bad}:100002: malformed #DISBATCH REPEAT: #DISBATCH REPEAT 3echo`,
    );
    await assert.rejects(checkTaskFile(bad, { file: "Tasks" }), /^TaskFileError: Tasks:100002:/);
    await checkTaskFile(bad, { lenient: true });

    const late = `${dir}/late`;
    await Deno.writeTextFile(late, "echo\n#DISBATCH PERENGINE STOP x\n#DISBATCH NOPE\n");
    await assert.rejects(checkTaskFile(late), /late:2: #DISBATCH PERENGINE is only allowed/);
    await checkTaskFile(late, { lenient: true });

    await Deno.writeTextFile(bad, "echo 12345678901\n");
    await assert.rejects(checkTaskFile(bad, { maxLineBytes: 10 }), /bad:1: line longer than 10/);

    await checkTaskFile(dir); // not a regular file: not read
    await assert.rejects(checkTaskFile(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checked input that ends short is a TaskFileError at the line where it ends", async () => {
  const bytes = new TextEncoder().encode("echo a\necho b\n");
  const src = new TaskSource(lengthChecked(ReadableStream.from([bytes]), 100), { file: "T" });
  const kinds = [];
  for (let i = 0; i < 3; i++) kinds.push((await src.next())?.kind);
  assert.deepEqual(kinds, ["PEND", "N", "N"], "the lines before the end still run");
  await assert.rejects(src.next(), (e) => {
    assert.ok(e instanceof TaskFileError);
    assert.equal(e.line, 3);
    assert.match(
      e.message,
      /^T:3: the file was shortened during the run \(it ends at byte 14 of the 100/,
    );
    return true;
  });
});

Deno.test("takeNow: what was read comes without waiting; an error met there, from next", async () => {
  // The first chunk holds the first three lines and the start of the fourth.
  const { stream, state } = streamOf(enc("echo a\necho b\n#DISBATCH FOO\necho c\n"), 32);
  const source = new TaskSource(stream, { file: "Tasks" });
  assert.equal(source.takeNow(), undefined, "nothing read yet");
  assert.deepEqual(row(await source.next()), ["PEND"]);
  assert.deepEqual(row(source.takeNow()!), ["N", 0, 1, -1, "echo a"]);
  assert.deepEqual(row(source.takeNow()!), ["N", 1, 2, -1, "echo b"]);
  assert.equal(source.takeNow(), undefined, "the bad line is met, and kept for next");
  assert.equal(source.takeNow(), undefined);
  assert.ok(!state.cancelled);
  const error = await source.next().catch((e) => e);
  assert.ok(error instanceof TaskFileError);
  assert.equal(error.message, "Tasks:3: unknown #DISBATCH directive: #DISBATCH FOO");
  assert.ok(state.cancelled, "the input is released");
  assert.equal(await source.next().catch((e) => e), error);

  const short = new TaskSource(streamOf(enc("x\n")).stream, { file: "f" });
  assert.deepEqual(row(await short.next()), ["PEND"]);
  assert.deepEqual(row(short.takeNow()!), ["N", 0, 1, -1, "x"]);
  assert.deepEqual([short.takeNow(), await short.next()], [undefined, null]);
  assert.equal(short.takeNow(), null, "the end, again");
});
