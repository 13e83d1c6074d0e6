import assert from "node:assert/strict";
import { jsonLine, MAX_LINE_BYTES, NdjsonDecoder, ProtocolError } from "./ndjson.ts";
import { toWire } from "./messages.ts";
import { MAX_COMMAND_BYTES } from "../taskfile/task_item.ts";

const encodeLine = (m: unknown) => new TextEncoder().encode(jsonLine(m));

/** Deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

Deno.test("messages survive any chunking", () => {
  const msgs = [{ t: "a", n: 1 }, { t: "b", s: "é\u2028\n\t" }, { t: "c", arr: [1, 2, 3] }];
  const bytes = new Uint8Array(msgs.flatMap((m) => [...encodeLine(m)]));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new NdjsonDecoder();
    const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    assert.deepEqual(got, msgs);
  }
});

Deno.test("oversized lines, bad JSON and non-objects are ProtocolErrors", () => {
  assert.throws(() => new NdjsonDecoder(10).push(new Uint8Array(11).fill(65)), ProtocolError);
  const d = new NdjsonDecoder(10);
  d.push(new Uint8Array(6).fill(65));
  assert.throws(
    () => d.push(new Uint8Array(6).fill(65)),
    ProtocolError,
    "cap counts across chunks",
  );
  for (const bad of ["{x}\n", "[1]\n", "3\n", "null\n", '"s"\n', "\xff\n"]) {
    const bytes = Uint8Array.from(bad, (c) => c.charCodeAt(0));
    assert.throws(() => new NdjsonDecoder().push(bytes), ProtocolError, JSON.stringify(bad));
  }
  assert.deepEqual(new NdjsonDecoder().push(new TextEncoder().encode("\n\n")), [], "empty lines");
});

Deno.test("fuzz: random and mutated input only ever yields objects or ProtocolError", () => {
  const good = encodeLine({ t: "result", id: 3, outSnippet: "'x'", rc: -9 });
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed);
    const len = Math.floor(r() * 200);
    const bytes = new Uint8Array(len);
    if (seed % 2 === 0) {
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(r() * 256);
    } else {
      for (let i = 0; i < len; i++) bytes[i] = good[i % good.length];
      for (let k = 0; k < 4; k++) bytes[Math.floor(r() * len)] = Math.floor(r() * 256);
    }
    const d = new NdjsonDecoder(64);
    try {
      let at = 0;
      while (at < len) {
        const step = 1 + Math.floor(r() * 40);
        for (const m of d.push(bytes.subarray(at, at + step))) {
          assert.equal(typeof m, "object", `seed ${seed}`);
          assert.ok(m !== null && !Array.isArray(m), `seed ${seed}`);
        }
        at += step;
      }
    } catch (e) {
      assert.ok(e instanceof ProtocolError, `seed ${seed}: ${e}`);
    }
  }
});

Deno.test("a task of MAX_COMMAND_BYTES fits one protocol line in the worst case", () => {
  const n = MAX_COMMAND_BYTES;
  const big = Number.MAX_SAFE_INTEGER;
  const fits = (m: unknown) => assert.ok(encodeLine(m).length - 1 <= MAX_LINE_BYTES);
  // Control characters: JSON spends 6 bytes (\u0001) on each; invalid UTF-8 travels as base64.
  const escaped = new Uint8Array(n).fill(1);
  const invalid = new Uint8Array(n).fill(0xff);
  for (const command of [escaped, invalid]) {
    const task = { t: "task", id: big, line: big, rep: big, timeout: Number.MAX_VALUE };
    fits({ ...task, ...toWire(command) });
    fits({ t: "pe", which: "START", index: big, line: big, ...toWire(command) });
  }
  // The result a task server routes to its client repeats the command as (lossy) text.
  const snippet = "\u0001".repeat(400);
  fits({
    t: "result",
    result: {
      Flags: "ROE Z",
      TaskId: big,
      TaskStreamIndex: big,
      TaskRepIndex: big,
      Host: "h".repeat(255),
      PID: big,
      ReturnCode: -big,
      Elapsed: Number.MAX_VALUE,
      Start: Number.MAX_VALUE,
      End: Number.MAX_VALUE,
      OutBytes: big,
      OutData: snippet,
      ErrBytes: big,
      ErrData: snippet,
      TaskCmd: new TextDecoder().decode(escaped),
    },
  });
  assert.ok(encodeLine({ t: "task", ...toWire(escaped) }).length > 6 * n, "the worst case");
});
