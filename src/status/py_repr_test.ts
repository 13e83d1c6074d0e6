import assert from "node:assert/strict";
import {
  isPrintable,
  LiteralSyntaxError,
  parseBytesLiteral,
  parseStrLiteral,
  reprBytes,
  reprStr,
} from "./py_repr.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Deterministic PRNG (mulberry32) so failures are reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("reprStr: Appendix C and §7.5 examples", () => {
  assert.equal(reprStr("hello\n"), String.raw`'hello\n'`);
  assert.equal(reprStr("it's\n"), String.raw`"it's\n"`);
  assert.equal(reprStr(`it's "q"`), String.raw`'it\'s "q"'`);
  assert.equal(reprStr(`say "hi"`), String.raw`'say "hi"'`);
  assert.equal(reprStr("c\x01\x7f\t\r\\x"), String.raw`'c\x01\x7f\t\r\\x'`);
  assert.equal(
    reprStr("café 😀 \u200b \xa0 \x85"),
    String.raw`'café 😀 \u200b \xa0 \x85'`,
  );
  assert.equal(reprStr("a\ufffdb"), "'a\ufffdb'");
  assert.equal(reprStr(""), "''");
});

Deno.test("reprStr: code points checked against Python 3.11.7", () => {
  // The lone surrogates are in reverse order so that they cannot pair up.
  const cps = (
    "85 a0 ad a1 200b 2028 2029 3000 e000 feff fffd 1fae8 1f600 dfff d800 10ffff e0001 378 897 " +
    "31350 323af 323b0 2ebf0 f8ff f0000 1d173 61c 180e 1680 2000 202f 205f 7f 9f e9 4e00"
  ).split(" ").map((h) => parseInt(h, 16));
  // Python: repr(''.join(map(chr, cps)))
  const expected = String.raw`'\x85\xa0\xad¡\u200b\u2028\u2029\u3000\ue000\ufeff�\U0001fae8😀` +
    String.raw`\udfff\ud800\U0010ffff\U000e0001\u0378\u0897\U00031350\U000323af\U000323b0` +
    String.raw`\U0002ebf0\uf8ff\U000f0000\U0001d173\u061c\u180e\u1680\u2000\u202f\u205f\x7f` +
    String.raw`\x9fé一'`;
  assert.equal(reprStr(cps.map((c) => String.fromCodePoint(c)).join("")), expected);
});

Deno.test("isPrintable: same number of printable code points as Python 3.11 (Unicode 14)", () => {
  // Python 3.11.7: sum(chr(c).isprintable() for c in range(0x110000)) == 144516.
  // A failure here means the runtime's Unicode data changed: regenerate NEWER_THAN_UNICODE_14.
  let count = 0;
  for (let cp = 0; cp <= 0x10ffff; cp++) if (isPrintable(cp)) count++;
  assert.equal(count, 144516);
});

Deno.test("reprBytes: quote choice and escapes", () => {
  assert.equal(
    reprBytes(bytes("echo \xff\xfe nonutf8cmd")),
    String.raw`b'echo \xff\xfe nonutf8cmd'`,
  );
  assert.equal(reprBytes(bytes("it's")), `b"it's"`);
  assert.equal(reprBytes(bytes(`'"`)), String.raw`b'\'"'`);
  assert.equal(
    reprBytes(bytes("\t\n\r\x00\x1f\x7f\x80\\ ~")),
    String.raw`b'\t\n\r\x00\x1f\x7f\x80\\ ~'`,
  );
  assert.equal(reprBytes(new Uint8Array()), "b''");
});

Deno.test("parseStrLiteral: results checked against Python literal_eval", () => {
  const cases: [string, string][] = [
    ["'a\\'b'", "a'b"],
    ['"a\\"b"', 'a"b'],
    ["'\\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v'", "\\ ' \" \u0007 \b \f \n \r \t \u000b"],
    ["'\\0\\7\\77\\101\\1234\\08\\777'", "\u0000\u0007?AS4\u00008\u01ff"],
    ["'\\x41\\xfF\\u00e9\\U0001F600\\u20ac'", "A\u00ff\u00e9\ud83d\ude00\u20ac"],
    ["'\\q\\8\\9\\ '", "\\q\\8\\9\\ "],
    ["  'x' \f ", "x"],
    ["'\\ud800'", "\ud800"],
    ["'caf\u00e9 \ud83d\ude00'", "caf\u00e9 \ud83d\ude00"],
    ['"it\'s"', "it's"],
  ];
  for (const [lit, want] of cases) assert.equal(parseStrLiteral(lit), want, lit);
});

Deno.test("parseBytesLiteral: results checked against Python literal_eval", () => {
  const cases: [string, number[]][] = [
    ["b'\\xff\\xFE\\x00'", [255, 254, 0]],
    ["b'\\777\\400\\101'", [255, 0, 65]],
    ["b'\\u1234\\N{x}\\q'", [92, 117, 49, 50, 51, 52, 92, 78, 123, 120, 125, 92, 113]],
    ['b"it\\\'s"', [105, 116, 39, 115]],
    ["B'a'", [97]],
    [String.raw`b'echo \xff\xfe nonutf8cmd'`, [...bytes("echo \xff\xfe nonutf8cmd")]],
  ];
  for (const [lit, want] of cases) assert.deepEqual([...parseBytesLiteral(lit)], want, lit);
});

Deno.test("parse: malformed literals throw LiteralSyntaxError", () => {
  const badStr = [
    "",
    "abc",
    "'abc",
    "'abc\\'",
    "'a'b",
    "\"a'",
    "'\\x4'",
    "'\\xg0'",
    "'\\u12'",
    "'\\U00110000'",
    "'a\x00b'",
    "'a\nb'",
    "'a\rb'",
    "'\\N{BULLET}'",
    "b'a'",
  ];
  for (const t of badStr) assert.throws(() => parseStrLiteral(t), LiteralSyntaxError, t);
  // Python would concatenate; outside the single-literal subset a status field can hold.
  assert.throws(() => parseStrLiteral("'a' 'b'"), LiteralSyntaxError);
  const badBytes = ["'a'", "b'é'", "b'\\x1'", "b'a", "bb'a'", "b'a'x"];
  for (const t of badBytes) assert.throws(() => parseBytesLiteral(t), LiteralSyntaxError, t);
});

Deno.test("parse: §14.5 snippet fields round-trip through repr", () => {
  const z40 = "0".repeat(40);
  const fields = [
    `'${z40}'`,
    `'${z40}...0'`,
    `'${z40}...${"0".repeat(39)}7'`,
    "'abc0000000000000000000000000000000000000...0000000000001XYZ'",
    String.raw`"it's\n"`,
    String.raw`'it\'s "q"'`,
    String.raw`'c\x01\x7f\t\r\\x'`,
    "'a\ufffdb'",
    `'${"0".repeat(39)}\ufffd...\ufffdtail'`,
    String.raw`'café 😀 \u200b \xa0 \x85'`,
    `'${String.raw`\x00`.repeat(40)}...${String.raw`\x00`.repeat(40)}'`,
    "''",
    "'x'",
    "'\ufffd\ufffd nonutf8cmd\\n'",
  ];
  for (const f of fields) assert.equal(reprStr(parseStrLiteral(f)), f);
  assert.equal(parseStrLiteral(String.raw`'c\x01\x7f\t\r\\x'`), "c\x01\x7f\t\r\\x");
});

Deno.test("round trip: random strings and bytes", () => {
  const rand = rng(42);
  const pick = (): number => {
    // Mostly ASCII and specials, plus the whole surrogate-free code space.
    const r = rand();
    if (r < 0.4) return Math.floor(rand() * 0x80);
    if (r < 0.5) return [0x27, 0x22, 0x5c][Math.floor(rand() * 3)];
    if (r < 0.7) return 0x80 + Math.floor(rand() * 0x780);
    for (;;) {
      const cp = Math.floor(rand() * 0x110000);
      if (cp < 0xd800 || cp > 0xdfff) return cp;
    }
  };
  for (let n = 0; n < 2000; n++) {
    const s = String.fromCodePoint(...Array.from({ length: Math.floor(rand() * 30) }, pick));
    assert.equal(parseStrLiteral(reprStr(s)), s);
    const b = Uint8Array.from({ length: Math.floor(rand() * 30) }, () => Math.floor(rand() * 256));
    assert.deepEqual(parseBytesLiteral(reprBytes(b)), b);
  }
});
