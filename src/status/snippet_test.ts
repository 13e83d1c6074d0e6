import assert from "node:assert/strict";
import { reprStr } from "./py_repr.ts";
import { SnippetCollector } from "./snippet.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);
const z = (n: number) => "0".repeat(n);

function collect(chunks: Uint8Array[]): SnippetCollector {
  const c = new SnippetCollector();
  for (const chunk of chunks) c.push(chunk);
  return c;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomChunks(data: Uint8Array, rand: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    const n = Math.floor(rand() * 90); // 0 included: empty reads must be harmless
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

/** §14.5 table (plus T26/T27): stream bytes → exact OutSnippet field text. */
const TABLE: [Uint8Array, string][] = [
  [latin1(z(40)), `'${z(40)}'`],
  [latin1(z(41)), `'${z(40)}...0'`],
  [latin1(z(45)), `'${z(40)}...00000'`],
  [latin1(z(80)), `'${z(40)}...${z(40)}'`],
  [latin1(z(81)), `'${z(40)}...${z(40)}'`],
  [latin1(z(99) + "7"), `'${z(40)}...${z(39)}7'`],
  [
    latin1("abc" + z(49) + "1XYZ"),
    "'abc0000000000000000000000000000000000000...0000000000001XYZ'",
  ],
  [latin1("it's\n"), String.raw`"it's\n"`],
  [latin1(`it's "q"`), String.raw`'it\'s "q"'`],
  [latin1("c\x01\x7f\t\r\\x"), String.raw`'c\x01\x7f\t\r\\x'`],
  [latin1("a\xffb"), "'a\ufffdb'"],
  [latin1(z(39) + "\xc3\xa9tail"), `'${z(39)}\ufffd...\ufffdtail'`],
  [
    latin1("caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\x8b \xc2\xa0 \xc2\x85"),
    String.raw`'café 😀 \u200b \xa0 \x85'`,
  ],
  [latin1("x"), "'x'"],
  [new Uint8Array(), "''"],
  [latin1("\xff\xfe nonutf8cmd\n"), "'\ufffd\ufffd nonutf8cmd\\n'"],
  [utf8("café cmd\n"), String.raw`'café cmd\n'`],
  // Python's decode('utf-8', 'replace') keeps a BOM (TextDecoder's default would drop it).
  [latin1("\xef\xbb\xbfA"), String.raw`'\ufeffA'`],
];

Deno.test("SnippetCollector: §14.5 table, one chunk", () => {
  for (const [data, field] of TABLE) {
    const c = collect([data]);
    assert.equal(c.bytes, data.length);
    assert.equal(reprStr(c.text()), field);
  }
});

Deno.test("SnippetCollector: §14.5 table, split at every boundary and randomly", () => {
  const rand = rng(7);
  for (const [data, field] of TABLE) {
    for (let cut = 0; cut <= data.length; cut++) {
      const c = collect([data.subarray(0, cut), data.subarray(cut)]);
      assert.equal(reprStr(c.text()), field, `cut at ${cut}`);
      assert.equal(c.bytes, data.length);
    }
    assert.equal(reprStr(collect(Array.from(data, (b) => Uint8Array.of(b))).text()), field);
    for (let n = 0; n < 20; n++) {
      assert.equal(reprStr(collect(randomChunks(data, rand)).text()), field);
    }
  }
});

Deno.test("SnippetCollector: 1,000,000 NUL bytes (head -c 1000000 /dev/zero)", () => {
  const nul40 = String.raw`\x00`.repeat(40);
  const expected = `'${nul40}...${nul40}'`;
  const data = new Uint8Array(1_000_000);
  for (const size of [4096, 65536, 999_999]) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
    const c = collect(chunks);
    assert.equal(c.bytes, 1_000_000);
    assert.equal(reprStr(c.text()), expected);
  }
});

Deno.test("SnippetCollector: matches a whole-buffer reference on random streams", () => {
  const rand = rng(99);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  for (let n = 0; n < 500; n++) {
    const data = Uint8Array.from(
      { length: Math.floor(rand() * 200) },
      () => Math.floor(rand() * 256),
    );
    const L = data.length;
    const reference = L <= 40 ? data : Uint8Array.from([
      ...data.subarray(0, 40),
      ...latin1("..."),
      ...data.subarray(L - Math.min(40, L - 40)),
    ]);
    const c = collect(randomChunks(data, rand));
    assert.equal(c.bytes, L);
    assert.equal(c.text(), decoder.decode(reference));
  }
});
