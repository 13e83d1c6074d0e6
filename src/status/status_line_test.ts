import assert from "node:assert/strict";
import { formatFixed3 } from "./number_format.ts";
import {
  elapsedOf,
  flagsOf,
  formatStatusLine,
  parseStatusLine,
  STATUS_HEADER,
} from "./status_line.ts";
import type { TaskRecord } from "./task_record.ts";

/** Appendix A shows TAB as ⇥; the copied lines below are converted back. */
const tabs = (s: string) => s.replaceAll("⇥", "\t");
const utf8 = (s: string) => new TextEncoder().encode(s);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const z = (n: number) => "0".repeat(n);

/** A normal record on host vm with the given fields; `command` text is UTF-8 encoded. */
function rec(
  f: Partial<Omit<TaskRecord, "command">> & { command: string | Uint8Array },
): TaskRecord {
  const { command, ...rest } = f;
  return {
    kind: "N",
    taskId: 0,
    line: 1,
    repeat: -1,
    host: "vm",
    pid: 1,
    rc: 0,
    start: 0,
    finish: 0,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    ...rest,
    command: typeof command === "string" ? utf8(command) : command,
  };
}

// Lines copied verbatim from Appendix A (A1, A9, A12, A13, A14, A19, one A3 line, A5 barriers).
const A1 = [
  String
    .raw` O  ⇥0⇥1⇥-1⇥vm⇥12188⇥0⇥1.006⇥1795647824.005⇥1795647825.011⇥6⇥'hello\n'⇥0⇥''⇥echo hello`,
  String
    .raw`  E ⇥1⇥2⇥-1⇥vm⇥12191⇥0⇥1.008⇥1795647824.011⇥1795647825.020⇥0⇥''⇥4⇥'err\n'⇥echo err >&2`,
  String.raw`R   ⇥2⇥3⇥-1⇥vm⇥12270⇥3⇥1.005⇥1795647825.015⇥1795647826.020⇥0⇥''⇥0⇥''⇥exit 3`,
].map(tabs);
const A9 = [
  String
    .raw` O  ⇥2⇥3⇥-1⇥vm⇥12761⇥0⇥0.008⇥1795648372.496⇥1795648372.504⇥5⇥"it's\n"⇥0⇥''⇥echo "it's"`,
  String
    .raw` O  ⇥1⇥2⇥-1⇥vm⇥12758⇥0⇥0.014⇥1795648372.489⇥1795648372.504⇥100⇥'0000000000000000000000000000000000000000...0000000000000000000000000000000000000007'⇥0⇥''⇥printf '%0100d' 7`,
  String
    .raw` O  ⇥3⇥4⇥-1⇥vm⇥12763⇥0⇥0.011⇥1795648372.495⇥1795648372.506⇥8⇥'it\'s "q"'⇥0⇥''⇥printf '%s' "it's \"q\""`,
  String
    .raw` O  ⇥0⇥1⇥-1⇥vm⇥12757⇥0⇥0.018⇥1795648372.487⇥1795648372.505⇥45⇥'0000000000000000000000000000000000000000...00000'⇥0⇥''⇥printf '%045d' 0`,
  String
    .raw` O  ⇥5⇥6⇥-1⇥vm⇥12772⇥0⇥0.013⇥1795648372.512⇥1795648372.525⇥7⇥'c\x01\x7f\t\r\\x'⇥0⇥''⇥printf 'c\x01\x7f\t\r\\x'`,
  String
    .raw` O  ⇥7⇥8⇥-1⇥vm⇥12775⇥0⇥0.011⇥1795648372.520⇥1795648372.531⇥20⇥'café 😀 \u200b \xa0 \x85'⇥0⇥''⇥printf 'caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\x8b \xc2\xa0 \xc2\x85'`,
  String
    .raw` O  ⇥6⇥7⇥-1⇥vm⇥12776⇥0⇥0.011⇥1795648372.523⇥1795648372.534⇥45⇥'000000000000000000000000000000000000000�...�tail'⇥0⇥''⇥printf '%039d\xc3\xa9tail' 0`,
  String
    .raw` O  ⇥8⇥9⇥-1⇥vm⇥12781⇥0⇥0.006⇥1795648372.531⇥1795648372.537⇥14⇥'�� nonutf8cmd\n'⇥0⇥''⇥b'echo \xff\xfe nonutf8cmd'`,
  String
    .raw` O  ⇥9⇥10⇥-1⇥vm⇥12784⇥0⇥0.010⇥1795648372.537⇥1795648372.547⇥1000000⇥'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00...\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'⇥0⇥''⇥head -c 1000000 /dev/zero`,
  String
    .raw`  E ⇥11⇥12⇥-1⇥vm⇥12787⇥0⇥0.008⇥1795648372.543⇥1795648372.550⇥0⇥''⇥1⇥'x'⇥printf 'x' >&2; exit 0`,
  String
    .raw` O  ⇥12⇥13⇥-1⇥vm⇥12794⇥0⇥0.012⇥1795648372.551⇥1795648372.562⇥10⇥'café cmd\n'⇥0⇥''⇥echo café cmd`,
  String
    .raw` O  ⇥13⇥14⇥-1⇥vm⇥12796⇥0⇥0.013⇥1795648372.556⇥1795648372.569⇥40⇥'0000000000000000000000000000000000000000'⇥0⇥''⇥printf '%040d' 0`,
  String
    .raw` O  ⇥4⇥5⇥-1⇥vm⇥12769⇥0⇥1.005⇥1795648372.507⇥1795648373.512⇥3⇥'a�b'⇥0⇥''⇥printf 'a\xffb'`,
  String
    .raw` O  ⇥16⇥17⇥-1⇥vm⇥12813⇥0⇥0.005⇥1795648373.515⇥1795648373.520⇥81⇥'0000000000000000000000000000000000000000...0000000000000000000000000000000000000000'⇥0⇥''⇥printf '%081d' 0`,
  String
    .raw` O  ⇥10⇥11⇥-1⇥vm⇥12785⇥0⇥1.008⇥1795648372.540⇥1795648373.548⇥56⇥'abc0000000000000000000000000000000000000...0000000000001XYZ'⇥0⇥''⇥printf abc; sleep 0.3; printf '%050d' 1; sleep 0.3; printf XYZ`,
  String
    .raw` O  ⇥14⇥15⇥-1⇥vm⇥12803⇥0⇥1.006⇥1795648372.565⇥1795648373.572⇥41⇥'0000000000000000000000000000000000000000...0'⇥0⇥''⇥printf '%041d' 0`,
  String
    .raw` O  ⇥15⇥16⇥-1⇥vm⇥12806⇥0⇥1.005⇥1795648372.572⇥1795648373.577⇥80⇥'0000000000000000000000000000000000000000...0000000000000000000000000000000000000000'⇥0⇥''⇥printf '%080d' 0`,
].map(tabs);
const A12 = [
  String
    .raw`ROE[ PSZ]⇥TaskID⇥LineNum⇥RepeatIndex⇥Node⇥PID⇥ReturnCode⇥Elapsed⇥Start⇥Finish⇥BytesOfLeakedOutput⇥OutputSnippet⇥BytesOfLeakedError⇥ErrorSnippet⇥Command`,
  String.raw` O  ⇥0⇥1⇥-1⇥vm⇥27632⇥0⇥0.016⇥1795648214.159⇥1795648214.175⇥3⇥'hi\n'⇥0⇥''⇥echo hi`,
].map(tabs);
const A13 = [
  String.raw`R   ⇥1⇥2⇥-1⇥vm⇥16483⇥2⇥0.007⇥1795648150.533⇥1795648150.539⇥0⇥''⇥0⇥''⇥exit 2`,
  String.raw` O  ⇥0⇥1⇥-1⇥vm⇥16480⇥0⇥0.010⇥1795648150.528⇥1795648150.539⇥2⇥'a\n'⇥0⇥''⇥echo a`,
  String.raw` O  ⇥2⇥3⇥-1⇥vm⇥16491⇥0⇥1.006⇥1795648150.543⇥1795648151.548⇥2⇥'c\n'⇥0⇥''⇥echo c`,
].map(tabs);
const A14 = [
  String.raw` O S⇥0⇥1⇥-1⇥vm⇥16480⇥0⇥0.011⇥1795648150.528⇥1795648150.539⇥2⇥'a\n'⇥0⇥''⇥echo a`,
  String.raw`R  S⇥1⇥2⇥-1⇥vm⇥16483⇥2⇥0.006⇥1795648150.533⇥1795648150.539⇥0⇥''⇥0⇥''⇥exit 2`,
  String.raw` O S⇥2⇥3⇥-1⇥vm⇥16491⇥0⇥1.005⇥1795648150.543⇥1795648151.548⇥2⇥'c\n'⇥0⇥''⇥echo c`,
  String.raw` O  ⇥3⇥4⇥-1⇥vm⇥16840⇥0⇥1.005⇥1795648153.678⇥1795648154.683⇥2⇥'d\n'⇥0⇥''⇥echo d`,
].map(tabs);
const A19 = [
  String.raw`R   ⇥0⇥1⇥-1⇥vm⇥-1⇥-100⇥0.000⇥1795648677.591⇥1795648677.591⇥0⇥''⇥0⇥''⇥sleep 600`,
  String.raw`R   ⇥1⇥2⇥-1⇥vm⇥-1⇥-100⇥0.000⇥1795648677.591⇥1795648677.591⇥0⇥''⇥0⇥''⇥sleep 600`,
].map(tabs);
const A3 = [
  String
    .raw` O P⇥0⇥2⇥-1⇥vm⇥4185⇥0⇥1.008⇥1795648006.447⇥1795648007.455⇥20⇥'pre start1 0 -1 0 2\n'⇥0⇥''⇥echo pre start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK $DISBATCH_TASKID $DISBATCH_STREAM_INDEX`,
].map(tabs);
const A5 = [
  String
    .raw`B    ⇥2⇥3⇥-1⇥vm⇥10979⇥0⇥3.009⇥1795648054.320⇥1795648057.330⇥0⇥''⇥0⇥''⇥#DISBATCH BARRIER`,
  String
    .raw`B    ⇥4⇥5⇥-1⇥vm⇥10979⇥0⇥1.008⇥1795648057.334⇥1795648058.342⇥0⇥''⇥0⇥''⇥#DISBATCH BARRIER mykey`,
  String
    .raw` O  ⇥5⇥6⇥-1⇥vm⇥12093⇥0⇥1.004⇥1795648058.346⇥1795648059.350⇥5⇥"b'4'\n"⇥0⇥''⇥python3 -c "from disbatch.kvsstcp import KVSClient; import os; k=KVSClient(os.environ['DISBATCH_KVSSTCP_HOST']); print(k.view('mykey', False))"`,
  String
    .raw`C    ⇥6⇥7⇥-1⇥vm⇥10979⇥0⇥1.005⇥1795648058.346⇥1795648059.352⇥0⇥''⇥0⇥''⇥#DISBATCH BARRIER CHECK`,
].map(tabs);

// Records with the values shown. Where Python's Elapsed came from unrounded times (it differs
// from Finish − Start as printed), Start/Finish carry a fourth decimal that reproduces it.
const A1_RECORDS = [
  rec({
    pid: 12188,
    start: 1795647824.005,
    finish: 1795647825.011,
    outBytes: 6,
    outSnippet: "hello\n",
    command: "echo hello",
  }),
  rec({
    taskId: 1,
    line: 2,
    pid: 12191,
    start: 1795647824.0113,
    finish: 1795647825.0197,
    errBytes: 4,
    errSnippet: "err\n",
    command: "echo err >&2",
  }),
  rec({
    taskId: 2,
    line: 3,
    pid: 12270,
    rc: 3,
    start: 1795647825.015,
    finish: 1795647826.02,
    command: "exit 3",
  }),
];

/** A9 records: [taskId, pid, start, finish, outBytes, outSnippet, command]. */
const A9_VALUES: [number, number, number, number, number, string, string | Uint8Array][] = [
  [2, 12761, 1795648372.496, 1795648372.504, 5, "it's\n", `echo "it's"`],
  [1, 12758, 1795648372.4893, 1795648372.5037, 100, `${z(40)}...${z(39)}7`, "printf '%0100d' 7"],
  [3, 12763, 1795648372.495, 1795648372.506, 8, `it's "q"`, `printf '%s' "it's \\"q\\""`],
  [0, 12757, 1795648372.487, 1795648372.505, 45, `${z(40)}...${z(5)}`, "printf '%045d' 0"],
  [
    5,
    12772,
    1795648372.512,
    1795648372.525,
    7,
    "c\x01\x7f\t\r\\x",
    String.raw`printf 'c\x01\x7f\t\r\\x'`,
  ],
  [
    7,
    12775,
    1795648372.52,
    1795648372.531,
    20,
    "café 😀 \u200b \xa0 \x85",
    String.raw`printf 'caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\x8b \xc2\xa0 \xc2\x85'`,
  ],
  [
    6,
    12776,
    1795648372.523,
    1795648372.534,
    45,
    `${z(39)}\ufffd...\ufffdtail`,
    String.raw`printf '%039d\xc3\xa9tail' 0`,
  ],
  [
    8,
    12781,
    1795648372.531,
    1795648372.537,
    14,
    "\ufffd\ufffd nonutf8cmd\n",
    latin1("echo \xff\xfe nonutf8cmd"),
  ],
  [
    9,
    12784,
    1795648372.537,
    1795648372.547,
    1000000,
    `${"\0".repeat(40)}...${"\0".repeat(40)}`,
    "head -c 1000000 /dev/zero",
  ],
  [11, 12787, 1795648372.5427, 1795648372.5503, 0, "", "printf 'x' >&2; exit 0"],
  [12, 12794, 1795648372.5507, 1795648372.5623, 10, "café cmd\n", "echo café cmd"],
  [13, 12796, 1795648372.556, 1795648372.569, 40, z(40), "printf '%040d' 0"],
  [4, 12769, 1795648372.507, 1795648373.512, 3, "a\ufffdb", String.raw`printf 'a\xffb'`],
  [16, 12813, 1795648373.515, 1795648373.52, 81, `${z(40)}...${z(40)}`, "printf '%081d' 0"],
  [
    10,
    12785,
    1795648372.54,
    1795648373.548,
    56,
    "abc0000000000000000000000000000000000000...0000000000001XYZ",
    "printf abc; sleep 0.3; printf '%050d' 1; sleep 0.3; printf XYZ",
  ],
  [14, 12803, 1795648372.5653, 1795648373.5717, 41, `${z(40)}...0`, "printf '%041d' 0"],
  [15, 12806, 1795648372.572, 1795648373.577, 80, `${z(40)}...${z(40)}`, "printf '%080d' 0"],
];
const A9_RECORDS = A9_VALUES.map(([taskId, pid, start, finish, outBytes, outSnippet, command]) =>
  rec({ taskId, line: taskId + 1, pid, start, finish, outBytes, outSnippet, command })
);
// Task 11 writes to stderr only.
Object.assign(A9_RECORDS[9], { errBytes: 1, errSnippet: "x" });

const A12_RECORD = rec({
  pid: 27632,
  start: 1795648214.159,
  finish: 1795648214.175,
  outBytes: 3,
  outSnippet: "hi\n",
  command: "echo hi",
});

const A13_RECORDS = [
  rec({
    taskId: 1,
    line: 2,
    pid: 16483,
    rc: 2,
    start: 1795648150.5327,
    finish: 1795648150.5393,
    command: "exit 2",
  }),
  rec({
    pid: 16480,
    start: 1795648150.5283,
    finish: 1795648150.5387,
    outBytes: 2,
    outSnippet: "a\n",
    command: "echo a",
  }),
  rec({
    taskId: 2,
    line: 3,
    pid: 16491,
    start: 1795648150.5427,
    finish: 1795648151.5483,
    outBytes: 2,
    outSnippet: "c\n",
    command: "echo c",
  }),
];

const A19_RECORDS = [0, 1].map((id) =>
  rec({
    taskId: id,
    line: id + 1,
    pid: -1,
    rc: -100,
    start: 1795648677.591,
    finish: 1795648677.591,
    command: "sleep 600",
  })
);

const A3_RECORD = rec({
  kind: "P",
  line: 2,
  pid: 4185,
  start: 1795648006.447,
  finish: 1795648007.455,
  outBytes: 20,
  outSnippet: "pre start1 0 -1 0 2\n",
  command:
    "echo pre start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK $DISBATCH_TASKID $DISBATCH_STREAM_INDEX",
});

const A5_RECORDS = [
  rec({
    kind: "B",
    taskId: 2,
    line: 3,
    pid: 10979,
    start: 1795648054.3203,
    finish: 1795648057.3297,
    command: "#DISBATCH BARRIER",
  }),
  rec({
    kind: "B",
    taskId: 4,
    line: 5,
    pid: 10979,
    start: 1795648057.334,
    finish: 1795648058.342,
    command: "#DISBATCH BARRIER mykey",
  }),
  rec({
    taskId: 5,
    line: 6,
    pid: 12093,
    start: 1795648058.346,
    finish: 1795648059.35,
    outBytes: 5,
    outSnippet: "b'4'\n",
    command:
      `python3 -c "from disbatch.kvsstcp import KVSClient; import os; k=KVSClient(os.environ['DISBATCH_KVSSTCP_HOST']); print(k.view('mykey', False))"`,
  }),
  rec({
    kind: "C",
    taskId: 6,
    line: 7,
    pid: 10979,
    start: 1795648058.3463,
    finish: 1795648059.3517,
    command: "#DISBATCH BARRIER CHECK",
  }),
];

const CASES: [string, TaskRecord][] = [
  ...A1.map((l, k): [string, TaskRecord] => [l, A1_RECORDS[k]]),
  ...A9.map((l, k): [string, TaskRecord] => [l, A9_RECORDS[k]]),
  [A12[1], A12_RECORD],
  ...A13.map((l, k): [string, TaskRecord] => [l, A13_RECORDS[k]]),
  ...A19.map((l, k): [string, TaskRecord] => [l, A19_RECORDS[k]]),
  [A3[0], A3_RECORD],
  ...A5.map((l, k): [string, TaskRecord] => [l, A5_RECORDS[k]]),
];

Deno.test("STATUS_HEADER is the A12 header line", () => {
  assert.equal(STATUS_HEADER, A12[0]);
  assert.equal(STATUS_HEADER.split("\t").length, 15);
});

Deno.test("flagsOf: §7.3", () => {
  const r = rec({ command: "x" });
  assert.equal(flagsOf(r), "    ");
  assert.equal(flagsOf({ ...r, rc: -9, outBytes: 1, errBytes: 2 }), "ROE ");
  assert.equal(flagsOf({ ...r, kind: "P", outBytes: 1 }), " O P");
  assert.equal(flagsOf({ ...r, kind: "S", rc: 2 }), "R  S");
  assert.equal(flagsOf({ ...r, kind: "Z", errBytes: 1 }), "  EZ");
  assert.equal(flagsOf({ ...r, kind: "B", rc: 1, outBytes: 1 }), "B    ");
  assert.equal(flagsOf({ ...r, kind: "C" }), "C    ");
});

Deno.test("elapsedOf: the status line's Elapsed as a number, without float noise", () => {
  const r = rec({ command: "x", start: 1796394317.975, finish: 1796394317.982 });
  assert.notEqual(r.finish - r.start, 0.007, "the bare difference is noisy");
  assert.equal(elapsedOf(r), 0.007);
  assert.equal(String(elapsedOf(r)), formatStatusLine(r).split("\t")[7].replace(/0+$/, ""));
  assert.equal(elapsedOf(rec({ command: "x", start: 10, finish: 12.5 })), 2.5);
});

Deno.test("formatStatusLine reproduces Appendix A lines", () => {
  for (const [line, r] of CASES) assert.equal(formatStatusLine(r), line);
});

Deno.test("parseStatusLine reads Appendix A lines back", () => {
  for (const [line, r] of CASES) {
    const p = parseStatusLine(line);
    assert.ok(p, line);
    // Times come back as printed (3 decimals).
    assert.equal(formatFixed3(p.start), formatFixed3(r.start));
    assert.equal(formatFixed3(p.finish), formatFixed3(r.finish));
    assert.deepEqual(p, { ...r, start: p.start, finish: p.finish }, line);
  }
  assert.equal(parseStatusLine(STATUS_HEADER), null);
});

Deno.test("§7.8: A13 lines re-formatted as skipped give the A14 lines (Elapsed recomputed)", () => {
  const byId = new Map(A13.map((l) => parseStatusLine(l)!).map((r) => [r.taskId, r]));
  for (const line of A14.slice(0, 3)) {
    const old = byId.get(Number(line.split("\t")[1]))!;
    assert.equal(formatStatusLine({ ...old, kind: "S" }), line);
  }
  const a = byId.get(0)!;
  assert.equal(a.start, 1795648150.528);
  assert.equal(a.finish, 1795648150.539);
  assert.equal(formatFixed3(a.finish - a.start), "0.011");
});

Deno.test("parseStatusLine: kind from the flags field (§10.1)", () => {
  const line = (flags: string) => tabs(`${flags}⇥0⇥1⇥-1⇥vm⇥1⇥0⇥0.000⇥1.000⇥1.000⇥0⇥''⇥0⇥''⇥x`);
  const kinds: [string, string | null][] = [
    ["    ", "N"],
    ["ROE ", "N"],
    ["R   ", "N"],
    [" O P", "P"],
    ["R  S", "S"],
    ["   Z", "Z"],
    ["B    ", "B"],
    ["C    ", "C"],
    ["ROEP", "P"],
    ["X   ", null], // Python would make kind X, which resume ignores
    ["R  ", null], // shorter than 4
    ["", null],
  ];
  for (const [flags, kind] of kinds) assert.equal(parseStatusLine(line(flags))?.kind ?? null, kind);
});

Deno.test("parseStatusLine: malformed lines are rejected", () => {
  const good = A1[0];
  assert.ok(parseStatusLine(good));
  const withField = (k: number, v: string) => {
    const f = good.split("\t");
    f[k] = v;
    return f.join("\t");
  };
  assert.equal(parseStatusLine(good.split("\t").slice(0, 14).join("\t")), null);
  assert.equal(parseStatusLine(""), null);
  for (const k of [1, 2, 3, 5, 6, 10, 12]) {
    for (const bad of ["", "x", "1.5", "1e3", "0x10", "1__0"]) {
      assert.equal(parseStatusLine(withField(k, bad)), null, `field ${k} = ${bad}`);
    }
  }
  for (const k of [8, 9]) {
    for (const bad of ["", "x", "1.2.3", "0x10", "infinit", "1e"]) {
      assert.equal(parseStatusLine(withField(k, bad)), null, `field ${k} = ${bad}`);
    }
  }
  for (const k of [11, 13]) {
    for (const bad of ["", "hello", "'abc", "b'abc'", "'a' 'b'", `'\\x4'`]) {
      assert.equal(parseStatusLine(withField(k, bad)), null, `field ${k} = ${bad}`);
    }
  }
});

Deno.test("parseStatusLine: numeric fields accept what Python int()/float() accept", () => {
  const f = A1[0].split("\t");
  Object.assign(f, { 1: " +7 ", 5: "1_000", 6: "-3", 7: "garbage", 8: "1e3", 9: " 1_001.5 " });
  const p = parseStatusLine(f.join("\t"))!;
  assert.equal(p.taskId, 7);
  assert.equal(p.pid, 1000);
  assert.equal(p.rc, -3);
  assert.equal(p.start, 1000);
  assert.equal(p.finish, 1001.5);
  Object.assign(f, { 8: "-inf", 9: "NaN" });
  const q = parseStatusLine(f.join("\t"))!;
  assert.equal(q.start, -Infinity);
  assert.ok(Number.isNaN(q.finish));
});

Deno.test("parseStatusLine: command field (TABs, bytes repr only for invalid UTF-8)", () => {
  const withCommand = (c: string) =>
    parseStatusLine(`${A1[0].split("\t").slice(0, 14).join("\t")}\t${c}`)!.command;
  assert.deepEqual(withCommand("echo a\tb\t\tc"), utf8("echo a\tb\t\tc"));
  assert.deepEqual(
    withCommand(String.raw`b'echo \xff\xfe nonutf8cmd'`),
    latin1("echo \xff\xfe nonutf8cmd"),
  );
  assert.deepEqual(withCommand(String.raw`b"it's \xff"`), latin1("it's \xff"));
  // B19: a UTF-8 command that merely looks like a bytes literal stays text.
  assert.deepEqual(withCommand("b'echo hi'"), utf8("b'echo hi'"));
  assert.deepEqual(withCommand(String.raw`b'caf\xc3\xa9'`), utf8(String.raw`b'caf\xc3\xa9'`));
  assert.deepEqual(withCommand("b'unterminated"), utf8("b'unterminated"));
  assert.deepEqual(withCommand(""), new Uint8Array());
});

Deno.test("formatStatusLine: command written verbatim only when valid UTF-8", () => {
  const cmd = (c: Uint8Array) =>
    formatStatusLine(rec({ command: c })).split("\t").slice(14).join("\t");
  assert.equal(cmd(utf8("echo café\tcmd")), "echo café\tcmd");
  assert.equal(cmd(latin1("echo \xff\xfe nonutf8cmd")), String.raw`b'echo \xff\xfe nonutf8cmd'`);
  assert.equal(cmd(latin1("it's \xc3")), String.raw`b"it's \xc3"`);
  assert.equal(cmd(latin1("\xed\xa0\x80")), String.raw`b'\xed\xa0\x80'`); // encoded surrogate
  assert.equal(cmd(latin1("\xef\xbb\xbfecho")), "\ufeffecho"); // BOM kept, like Python
});

Deno.test("parseStatusLine(formatStatusLine(r)) round-trips random records", () => {
  let seed = 2024;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const int = (n: number) => Math.floor(rand() * n);
  const text = () =>
    String.fromCodePoint(
      ...Array.from({ length: int(12) }, () => [0x27, 0x22, 0x5c, 9, 10, 0, 0xe9, 0x1f600][int(8)]),
    );
  const kinds = ["N", "P", "S", "Z", "B", "C"] as const;
  for (let n = 0; n < 500; n++) {
    const command = Uint8Array.from(
      { length: int(10) },
      () => [0x61, 0x09, 0x27, 0x22, 0x5c, 0x62, 0xc3, 0xa9, 0xff][int(9)],
    );
    const r = rec({
      kind: kinds[int(6)],
      taskId: int(1000),
      line: int(1000),
      repeat: int(5) - 1,
      host: ["vm", "node-1.example", ""][int(3)],
      pid: int(100000) - 1,
      rc: int(300) - 150,
      // 3-decimal times survive the text round trip exactly.
      start: Number(`${1795648000 + int(1000)}.${String(int(1000)).padStart(3, "0")}`),
      finish: Number(`${1795649000 + int(1000)}.${String(int(1000)).padStart(3, "0")}`),
      outBytes: int(3) * int(1e6),
      outSnippet: text(),
      errBytes: int(2),
      errSnippet: text(),
      command,
    });
    const line = formatStatusLine(r);
    assert.deepEqual(parseStatusLine(line), r, line);
  }
});
