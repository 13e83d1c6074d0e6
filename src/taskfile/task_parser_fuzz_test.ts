import assert from "node:assert/strict";
import { TaskFileError, TaskParser } from "./task_parser.ts";
import { TaskSource } from "./task_source.ts";

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const SEEDS = [
  "#DISBATCH PREFIX echo ",
  "#DISBATCH SUFFIX  done",
  "#DISBATCH REPEAT 3 start 2 step 5 echo r",
  "#DISBATCH REPEAT 2",
  "#DISBATCH BARRIER CHECK key",
  "#DISBATCH BARRIER",
  "#DISBATCH PERENGINE START echo s",
  "#DISBATCH PERENGINE STOP echo t",
  "#DISBATCH TIMEOUT 3",
  "echo plain\ttab",
  "   # comment",
  "",
  "\x0b",
];

/** Lines built from directive fragments, with random byte mutations and CRs. */
function randomFile(r: () => number): Uint8Array {
  const out: number[] = [];
  const lines = Math.floor(r() * 30);
  for (let l = 0; l < lines; l++) {
    const base = SEEDS[Math.floor(r() * SEEDS.length)];
    const bytes = Array.from(base, (c) => c.charCodeAt(0));
    const muts = Math.floor(r() * 3);
    for (let k = 0; k < muts && bytes.length > 0; k++) {
      const i = Math.floor(r() * bytes.length);
      const choice = r();
      if (choice < 0.4) bytes[i] = Math.floor(r() * 256);
      else if (choice < 0.7) bytes.splice(i, 1);
      else bytes.splice(i, 0, [0x0d, 0x20, 0x30 + Math.floor(r() * 10), 0x09][Math.floor(r() * 4)]);
    }
    out.push(...bytes, 0x0a);
  }
  return new Uint8Array(out);
}

function streamOf(bytes: Uint8Array, r: () => number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = 1 + Math.floor(r() * 50);
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

Deno.test("fuzz: the parser yields well-formed items or one TaskFileError, never anything else", async () => {
  for (let seed = 1; seed <= 600; seed++) {
    for (const lenient of [false, true]) {
      const r = rng(seed);
      const file = randomFile(r);
      const src = new TaskSource(streamOf(file, r), { file: "F", lenient });
      let lastId = -1;
      let count = 0;
      try {
        for (let item = await src.next(); item; item = await src.next()) {
          if (++count > 100_000) assert.fail(`seed ${seed}: runaway`);
          if (item.kind === "N" || item.kind === "B" || item.kind === "C") {
            assert.equal(item.taskId, lastId + 1, `seed ${seed}: ids are consecutive`);
            lastId = item.taskId;
            assert.ok(item.line >= 1);
          }
        }
      } catch (e) {
        assert.ok(!lenient, `seed ${seed}: lenient mode never throws (${e})`);
        assert.ok(e instanceof TaskFileError, `seed ${seed}: ${e}`);
        assert.match(e.message, /^F:\d+: /);
        assert.ok(!e.message.includes("\n"), "one-line message");
      }
    }
  }
});

Deno.test("fuzz: feeding a parser directly agrees with the stream source on ids", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const p = new TaskParser({ file: "F", lenient: true });
    const text = randomFile(r);
    let next = 0;
    let line = 0;
    for (const physical of new TextDecoder("latin1").decode(text).split("\n")) {
      line++;
      for (const part of physical.split(/\r\n|\r/)) {
        for (const item of p.feed(Uint8Array.from(part, (c) => c.charCodeAt(0)), line)) {
          if (item.kind === "N" || item.kind === "B" || item.kind === "C") {
            assert.equal(item.taskId, next++, `seed ${seed}`);
          }
        }
      }
    }
    assert.equal(p.nextTaskId, next);
  }
});
