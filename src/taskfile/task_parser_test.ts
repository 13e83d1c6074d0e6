import assert from "node:assert/strict";
import { splitUniversal } from "./line_reader.ts";
import { MAX_COMMAND_BYTES, type NormalItem, type TaskItem } from "./task_item.ts";
import { TaskFileError, type TaskFileWarning, TaskParser } from "./task_parser.ts";

const enc = (s: string) => new TextEncoder().encode(s);
/** Byte-faithful rendering (one char per byte) so non-UTF-8 commands compare exactly. */
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

type Row = (string | number | null)[];

function row(item: TaskItem): Row {
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

/** Parses physical lines (one char per byte) the way a file source does. */
function parse(lines: string[], lenient = false): { rows: Row[]; warnings: TaskFileWarning[] } {
  const warnings: TaskFileWarning[] = [];
  const parser = new TaskParser({ file: "Tasks", lenient, onWarning: (w) => warnings.push(w) });
  const rows: Row[] = [];
  lines.forEach((physical, i) => {
    for (const text of splitUniversal(bytesOf(physical))) {
      for (const item of parser.feed(text, i + 1)) rows.push(row(item));
    }
  });
  rows.push(...parser.end().map(row));
  return { rows, warnings };
}

/** Normal tasks only, sorted by id (the projection the spec's status files allow). */
const normals = (rows: Row[]) =>
  rows.filter((r) => r[0] === "N").sort((a, b) => (a[1] as number) - (b[1] as number));

const A2 = [
  "# comment",
  "",
  "   ",
  "  # indented comment",
  "  echo lead; echo trail  ",
  "#DISBATCH PREFIX echo P1 ",
  "a",
  "#DISBATCH SUFFIX  S1",
  "b",
  "#DISBATCH SUFFIX ",
  "c",
  "#DISBATCH PREFIX",
  "d",
  "#disbatch barrier",
  "#DISBATCH barrier",
  "#DISBATCHX foo",
  "#DISBATCH FOO bar",
  "  #DISBATCH BARRIER",
  "#DISBATCH prefix echo lower ",
  "e",
  "#DISBATCH REPEAT 2",
  "#DISBATCH REPEAT 2 start 5 step 10 X",
  "#DISBATCH repeat 1 START 3 x",
  "#DISBATCH REPEAT 2 step 2 start 5 y",
  "#DISBATCH REPEAT 3echo",
  "#DISBATCH REPEAT -1 z",
  "#DISBATCH REPEAT 1  twospace  ",
  "tab\there",
];

Deno.test("A2 (lenient): ids, line numbers, repeat indices and commands of the 16 tasks", () => {
  const { rows, warnings } = parse(A2, true);
  assert.deepEqual(normals(rows), [
    ["N", 0, 5, -1, "  echo lead; echo trail  "],
    ["N", 1, 7, -1, "echo P1 a"],
    ["N", 2, 9, -1, "echo P1 b S1"],
    ["N", 3, 11, -1, "echo P1 c"],
    ["N", 4, 13, -1, "echo P1 d"],
    ["N", 5, 16, -1, "echo P1 #DISBATCHX foo"],
    ["N", 6, 20, -1, "echo lower e"],
    ["N", 7, 21, 0, "echo lower "],
    ["N", 8, 21, 1, "echo lower "],
    ["N", 9, 22, 5, "echo lower X"],
    ["N", 10, 22, 15, "echo lower X"],
    ["N", 11, 23, 3, "echo lower x"],
    ["N", 12, 24, 0, "echo lower start 5 y"],
    ["N", 13, 24, 2, "echo lower start 5 y"],
    ["N", 14, 27, 0, "echo lower  twospace  "],
    ["N", 15, 28, -1, "echo lower tab\there"],
  ]);
  assert.deepEqual(rows.length, 17);
  assert.deepEqual(rows[0], ["PEND"], "the first task closes the per-engine block");
  assert.deepEqual(
    warnings.map((w) => [w.file, w.line, w.message]),
    [12, 15, 17, 25, 26].map((n) => ["Tasks", n, `Unknown #DISBATCH directive: ${A2[n - 1]}`]),
  );
});

Deno.test("A2 (strict): the first bad directive is an error naming file and line", () => {
  assert.throws(() => parse(A2), (e: unknown) => {
    assert.ok(e instanceof TaskFileError);
    assert.equal(e.message, "Tasks:15: unknown #DISBATCH directive: #DISBATCH barrier");
    assert.equal(e.file, "Tasks");
    assert.equal(e.line, 15);
    return true;
  });
});

Deno.test("strict mode: a bare #DISBATCH PREFIX / SUFFIX (no trailing space) resets it", () => {
  const lines = ["#DISBATCH PREFIX echo P ", "#DISBATCH SUFFIX  S", "a"];
  const { rows } = parse([...lines, "#DISBATCH PREFIX", "b", "#DISBATCH suffix", "c"]);
  assert.deepEqual(normals(rows), [
    ["N", 0, 3, -1, "echo P a S"],
    ["N", 1, 5, -1, "b S"],
    ["N", 2, 7, -1, "c"],
  ]);
  // It changes the prefix only: the per-engine block stays open, as after any PREFIX.
  const pe = parse(["#DISBATCH PREFIX", "#DISBATCH PERENGINE START s", "t"]).rows;
  assert.deepEqual(pe.map((r) => r[0]), ["START", "PEND", "N"]);
  // The original's reading with --lenient-directives: unknown, the prefix stays.
  const lenient = parse([...lines, "#DISBATCH PREFIX", "b"], true);
  assert.deepEqual(normals(lenient.rows).at(-1), ["N", 1, 5, -1, "echo P b S"]);
});

Deno.test("A3: per-engine commands get the prefix, separate ordinals and their own lines", () => {
  const { rows } = parse([
    "#DISBATCH PREFIX echo pre ",
    "#DISBATCH PERENGINE START start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK",
    "#DISBATCH PERENGINE STOP stop1",
    "#DISBATCH PERENGINE START start2",
    "#DISBATCH PREFIX ",
    "echo t0",
    "echo t1",
  ]);
  assert.deepEqual(rows, [
    ["START", 0, 2, "echo pre start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK"],
    ["STOP", 0, 3, "echo pre stop1"],
    ["START", 1, 4, "echo pre start2"],
    ["PEND"],
    ["N", 0, 6, -1, "echo t0"],
    ["N", 1, 7, -1, "echo t1"],
  ]);
});

Deno.test("A6: barrier regex edge cases and REPEAT without command", () => {
  const { rows } = parse([
    "echo a",
    "#DISBATCH BARRIERfoo",
    "#DISBATCH BARRIER CHECKfoo",
    "#DISBATCH BARRIER  twosp",
    "#DISBATCH BARRIER CHECK",
    "#DISBATCH BARRIER check lower",
    "#DISBATCH REPEAT 0",
    "#DISBATCH REPEAT 2 start 3",
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["N", 0, 1, -1, "echo a"],
    ["B", 1, 2, null, "#DISBATCH BARRIERfoo"],
    ["C", 2, 3, null, "#DISBATCH BARRIER CHECKfoo"],
    ["B", 3, 4, " twosp", "#DISBATCH BARRIER  twosp"],
    ["C", 4, 5, null, "#DISBATCH BARRIER CHECK"],
    ["B", 5, 6, "check lower", "#DISBATCH BARRIER check lower"],
    ["N", 6, 8, 3, ""],
    ["N", 7, 8, 4, ""],
  ]);
});

Deno.test("barrier keys: A5 forms, an empty key is absent, BARRIER CHECK with a key", () => {
  const { rows } = parse([
    "#DISBATCH BARRIER",
    "#DISBATCH BARRIER mykey",
    "#DISBATCH BARRIER CHECK key2",
    "#DISBATCH BARRIER ",
    "#DISBATCH BARRIER  CHECK",
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["B", 0, 1, null, "#DISBATCH BARRIER"],
    ["B", 1, 2, "mykey", "#DISBATCH BARRIER mykey"],
    ["C", 2, 3, "key2", "#DISBATCH BARRIER CHECK key2"],
    ["B", 3, 4, null, "#DISBATCH BARRIER "],
    ["B", 4, 5, " CHECK", "#DISBATCH BARRIER  CHECK"],
  ]);
});

Deno.test("A10: a lone CR gives two tasks on one line; VT and whitespace-only lines are blank", () => {
  const { rows } = parse([
    "echo a\r",
    "echo b\recho c",
    "\x0b",
    "echo \x0cd",
    "  \t ",
    "echo last",
  ]);
  assert.deepEqual(normals(rows), [
    ["N", 0, 1, -1, "echo a"],
    ["N", 1, 2, -1, "echo b"],
    ["N", 2, 2, -1, "echo c"],
    ["N", 3, 4, -1, "echo \x0cd"],
    ["N", 4, 6, -1, "echo last"],
  ]);
});

Deno.test("T10b: REPEAT and BARRIER whitespace edges with prefix and suffix", () => {
  const { rows } = parse([
    "#DISBATCH PREFIX echo [",
    "#DISBATCH SUFFIX ]",
    "#DISBATCH REPEAT 1  ",
    "#DISBATCH REPEAT 1\tstart\t2 x",
    "#DISBATCH REPEAT 1 ",
    "#DISBATCH BARRIER  CHECK",
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["N", 0, 3, 0, "echo [ ]"],
    ["N", 1, 4, 2, "echo [x]"],
    ["N", 2, 5, 0, "echo []"],
    ["B", 3, 6, " CHECK", "#DISBATCH BARRIER  CHECK"],
  ]);
});

Deno.test("REPEAT grammar edge cases (§4.4)", () => {
  const cases: [string, Row[]][] = [
    ["#DISBATCH REPEAT 2 start 5 step 10 X", [[0, 5, "X"], [1, 15, "X"]]],
    ["#DISBATCH REPEAT 2 step 2 start 5 y", [[0, 0, "start 5 y"], [1, 2, "start 5 y"]]],
    ["#disbatch REPEAT 1 x", []],
    ["#DISBATCH rEpEaT 2 StArT 4 StEp 2 z", [[0, 4, "z"], [1, 6, "z"]]],
    ["#DISBATCH REPEAT 1 start 2", [[0, 2, ""]]],
    ["#DISBATCH REPEAT 1 start 2  ", [[0, 2, " "]]],
    ["#DISBATCH REPEAT 1 start 2x", [[0, 0, "start 2x"]]],
    ["#DISBATCH REPEAT 1 step 3 start 1", [[0, 0, "start 1"]]],
    ["#DISBATCH REPEAT\t1\x0b", [[0, 0, ""]]],
    ["#DISBATCH REPEAT 1 \x0b", [[0, 0, "\x0b"]]],
    ["#DISBATCH REPEAT 1  cmd\t ", [[0, 0, " cmd\t "]]],
    ["#DISBATCH REPEAT 1\tcmd", []],
    ["#DISBATCH REPEAT 007 start 01 step 00 q", [0, 1, 2, 3, 4, 5, 6].map((i) => [i, 1, "q"])],
    ["#DISBATCH REPEAT 0", []],
  ];
  for (const [line, expected] of cases) {
    const { rows } = parse([line], true);
    assert.deepEqual(
      normals(rows).map((r) => [r[1], r[3], r[4]]),
      expected,
      JSON.stringify(line),
    );
  }
});

Deno.test("T12 and §4.8: REPEAT 0 and unknown directives close the per-engine block", () => {
  assert.deepEqual(parse(["#DISBATCH REPEAT 0"]).rows, [["PEND"]]);
  assert.deepEqual(parse(["#DISBATCH WHAT"], true).rows, [["PEND"]]);
  assert.deepEqual(parse(["echo x", "#DISBATCH REPEAT 0", "#DISBATCH REPEAT 2 start 3"]).rows, [
    ["PEND"],
    ["N", 0, 1, -1, "echo x"],
    ["N", 1, 3, 3, ""],
    ["N", 2, 3, 4, ""],
  ]);
});

Deno.test("end(): PEND only when no line closed the block", () => {
  assert.deepEqual(parse([]).rows, [["PEND"]]);
  assert.deepEqual(parse(["# c", "#DISBATCH PREFIX x", "#DISBATCH PERENGINE STOP y"]).rows, [
    ["STOP", 0, 3, "xy"],
    ["PEND"],
  ]);
  const parser = new TaskParser({ file: "f" });
  assert.deepEqual([...parser.feed(enc("echo"), 1)].map(row), [["PEND"], ["N", 0, 1, -1, "echo"]]);
  assert.deepEqual(parser.end(), []);
});

Deno.test("T14: a late PERENGINE is an error (strict) or ends the source (lenient)", () => {
  const file = ["echo t0", "#DISBATCH PERENGINE START echo late", "echo t2"];
  assert.throws(() => parse(file), (e: unknown) => {
    assert.ok(e instanceof TaskFileError);
    assert.equal(e.message, "Tasks:2: #DISBATCH PERENGINE is only allowed before the first task");
    assert.equal(e.line, 2);
    return true;
  });
  const { rows, warnings } = parse([...file, "#DISBATCH PREFIX p", "#DISBATCH PERENGINE"], true);
  assert.deepEqual(rows, [["PEND"], ["N", 0, 1, -1, "echo t0"]]);
  assert.deepEqual(warnings, [
    { file: "Tasks", line: 2, message: "Per-engine tasks not permitted after normal tasks." },
  ]);
  // the rest of the same physical line is dropped too
  const parser = new TaskParser({ file: "f", lenient: true });
  const items = splitUniversal(enc("echo a\r#DISBATCH PERENGINE STOP x\recho b"))
    .flatMap((t) => [...parser.feed(t, 1)]);
  assert.deepEqual(items.map(row), [["PEND"], ["N", 0, 1, -1, "echo a"]]);
  assert.equal(parser.stopped, true);
});

Deno.test("T15: the PERENGINE keyword is case-insensitive and normalised to upper case", () => {
  assert.deepEqual(
    parse(["#DISBATCH PERENGINE start echo lower", "#DISBATCH perengine Stop ", "t1"]).rows,
    [
      ["START", 0, 1, "echo lower"],
      ["STOP", 0, 2, ""],
      ["PEND"],
      ["N", 0, 3, -1, "t1"],
    ],
  );
});

Deno.test("PREFIX/SUFFIX: byte concatenation, replacement, case-insensitive keyword", () => {
  const { rows } = parse([
    "#DISBATCH SUFFIX  S1",
    "#DISBATCH prefix P ",
    "a",
    "#DISBATCH Prefix Q",
    "#DISBATCH SUFFIX ",
    "b",
    "#DISBATCH PREFIX  two  ",
    "#DISBATCH BARRIER k",
    "c",
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["N", 0, 3, -1, "P a S1"],
    ["N", 1, 6, -1, "Qb"],
    ["B", 2, 8, "k", "#DISBATCH BARRIER k"],
    ["N", 3, 9, -1, " two  c"],
  ]);
});

Deno.test("comments and blank lines (§4.3 step 1) and #DISBATCH without a space", () => {
  const { rows } = parse([
    " \t\x0b\x0c#x",
    "#disbatch PREFIX x",
    "   #DISBATCH BARRIER",
    "#DISBATCH",
    "#DISBATCHX foo",
    "\xa0# not blank: NBSP is not ASCII whitespace",
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["N", 0, 4, -1, "#DISBATCH"],
    ["N", 1, 5, -1, "#DISBATCHX foo"],
    ["N", 2, 6, -1, "\xa0# not blank: NBSP is not ASCII whitespace"],
  ]);
});

Deno.test("non-UTF-8 bytes are preserved in commands, keys and REPEAT commands", () => {
  const raw = "\xff\xfe\x80\x81\x9d\xc3(\xc3\xa9";
  const { rows } = parse([
    `#DISBATCH PREFIX \x80 `,
    `echo ${raw}`,
    `#DISBATCH REPEAT 1 start 2 ${raw}`,
    `#DISBATCH BARRIER ${raw}`,
  ]);
  assert.deepEqual(rows, [
    ["PEND"],
    ["N", 0, 2, -1, `\x80 echo ${raw}`],
    ["N", 1, 3, 2, `\x80 ${raw}`],
    ["B", 2, 4, raw, `#DISBATCH BARRIER ${raw}`],
  ]);
});

Deno.test("strict mode: each malformed or unknown directive names file and line", () => {
  const cases: [string, string][] = [
    ["#DISBATCH PREFIX\t", "malformed #DISBATCH PREFIX: #DISBATCH PREFIX\t"],
    ["#DISBATCH suffix\tx", "malformed #DISBATCH SUFFIX: #DISBATCH suffix\tx"],
    ["#DISBATCH barrier", "unknown #DISBATCH directive: #DISBATCH barrier"],
    ["#DISBATCH REPEAT 3echo", "malformed #DISBATCH REPEAT: #DISBATCH REPEAT 3echo"],
    ["#DISBATCH REPEAT -1 z", "malformed #DISBATCH REPEAT: #DISBATCH REPEAT -1 z"],
    ["#DISBATCH repeat", "malformed #DISBATCH REPEAT: #DISBATCH repeat"],
    ["#DISBATCH REPEATS 2", "unknown #DISBATCH directive: #DISBATCH REPEATS 2"],
    ["#DISBATCH FOO bar", "unknown #DISBATCH directive: #DISBATCH FOO bar"],
    ["#DISBATCH  PREFIX x", "unknown #DISBATCH directive: #DISBATCH  PREFIX x"],
    ["#DISBATCH PERENGINE START", "malformed #DISBATCH PERENGINE: #DISBATCH PERENGINE START"],
    ["#DISBATCH PERENGINE BEGIN x", "malformed #DISBATCH PERENGINE: #DISBATCH PERENGINE BEGIN x"],
    ["#DISBATCH \xff\x01x", "unknown #DISBATCH directive: #DISBATCH \ufffd\\x01x"],
  ];
  for (const [bad, detail] of cases) {
    const parser = new TaskParser({ file: "dir/My Tasks" });
    parser.feed(enc("# header"), 1);
    assert.throws(() => parser.feed(bytesOf(bad), 7), (e: unknown) => {
      assert.ok(e instanceof TaskFileError);
      assert.equal(e.message, `dir/My Tasks:7: ${detail}`);
      assert.equal(e.file, "dir/My Tasks");
      assert.equal(e.line, 7);
      return true;
    }, bad);
  }
});

Deno.test("strict mode: an over-long bad line is quoted in a bounded excerpt", () => {
  const parser = new TaskParser({ file: "f" });
  const long = enc(`#DISBATCH FOO ${"y".repeat(10_000)}`);
  assert.throws(() => parser.feed(long, 1), (e: unknown) => {
    assert.ok(e instanceof TaskFileError);
    assert.ok(e.message.length < 300, `${e.message.length}`);
    assert.ok(e.message.endsWith("yyy…"));
    return true;
  });
});

Deno.test("lenient mode: unknown directives consume no task id", () => {
  const { rows, warnings } = parse(["a", "#DISBATCH FOO", "#DISBATCH REPEAT x", "b"], true);
  assert.deepEqual(normals(rows), [["N", 0, 1, -1, "a"], ["N", 1, 4, -1, "b"]]);
  assert.deepEqual(warnings.map((w) => w.line), [2, 3]);
});

Deno.test("REPEAT 1000000 is materialised lazily; state advances before iteration", () => {
  const parser = new TaskParser({ file: "f" });
  const items = parser.feed(enc("#DISBATCH REPEAT 1000000 start 10 step 3 run"), 4);
  assert.ok(!Array.isArray(items));
  assert.equal(parser.nextTaskId, 1_000_000);
  assert.deepEqual([...parser.feed(enc("after"), 5)].map(row), [["N", 1_000_000, 5, -1, "after"]]);
  let count = 0;
  let last: TaskItem | undefined;
  for (const item of items) {
    if (item.kind === "N") count++;
    last = item;
  }
  assert.equal(count, 1_000_000);
  assert.deepEqual(last && row(last), ["N", 999_999, 4, 10 + 999_999 * 3, "run"]);
  // an astronomically large count costs nothing until iterated
  const huge = parser.feed(enc("#DISBATCH REPEAT 1000000000000000 x"), 6);
  assert.equal(parser.nextTaskId, 1_000_001 + 1e15);
  const first = huge[Symbol.iterator]().next();
  assert.deepEqual(row(first.value as TaskItem), ["N", 1_000_001, 6, 0, "x"]);
});

Deno.test("#DISBATCH TIMEOUT sets the timeout of the tasks below it", () => {
  const p = new TaskParser({ file: "T" });
  const enc = new TextEncoder();
  const items = (t: string, line: number) => [...p.feed(enc.encode(t), line)];
  const n = (t: string, line: number) =>
    items(t, line).filter((i) => i.kind === "N").map((i) => (i as { timeout?: number }).timeout);
  assert.deepEqual(n("a", 1), [undefined]);
  assert.deepEqual(items("#DISBATCH TIMEOUT 2.5", 2), []);
  assert.deepEqual(n("b", 3), [2.5]);
  assert.deepEqual(n("#DISBATCH REPEAT 2 c", 4), [2.5, 2.5]);
  items("#DISBATCH timeout none", 5);
  assert.deepEqual(n("d", 6), [Infinity]);
  items("#DISBATCH TIMEOUT default", 7);
  assert.deepEqual(n("e", 8), [undefined]);
  assert.throws(() => items("#DISBATCH TIMEOUT soon", 9), /T:9: malformed #DISBATCH TIMEOUT/);
});

Deno.test("#DISBATCH CAPTURE turns capturing on or off for the tasks below it", () => {
  const p = new TaskParser({ file: "T" });
  const enc = new TextEncoder();
  const items = (t: string, line: number) => [...p.feed(enc.encode(t), line)];
  const n = (t: string, line: number) =>
    items(t, line).filter((i) => i.kind === "N").map((i) => (i as { capture?: boolean }).capture);
  assert.deepEqual(n("a", 1), [undefined]);
  assert.deepEqual(items("#DISBATCH CAPTURE on", 2), []);
  assert.deepEqual(n("b", 3), [true]);
  assert.deepEqual(n("#DISBATCH REPEAT 2 c", 4), [true, true]);
  items("#DISBATCH capture OFF ", 5);
  assert.deepEqual(n("d", 6), [false]);
  items("#DISBATCH CAPTURE default", 7);
  assert.deepEqual(n("e", 8), [undefined]);
  assert.throws(() => items("#DISBATCH CAPTURE yes", 9), /T:9: malformed #DISBATCH CAPTURE/);
  assert.throws(() => items("#DISBATCH CAPTURE", 10), /T:10: malformed #DISBATCH CAPTURE/);
  // a rejected line changes nothing
  items("#DISBATCH CAPTURE on", 11);
  assert.throws(() => items("#DISBATCH CAPTURE of", 12), /malformed/);
  assert.deepEqual(n("f", 13), [true]);
});

Deno.test("a task longer than MAX_COMMAND_BYTES is an error at its line that changes nothing", () => {
  const max = MAX_COMMAND_BYTES;
  const tooLong = (line: number, bytes: number) =>
    `Tasks:${line}: task of ${bytes} bytes (with PREFIX and SUFFIX) exceeds the limit of ${max} bytes`;
  const x = (n: number) => "x".repeat(n);
  const cases: [string[], number][] = [
    [[x(max + 1)], max + 1],
    [["#DISBATCH PREFIX ab", "#DISBATCH SUFFIX c", x(max - 2)], max + 1],
    [[`#DISBATCH REPEAT 3 start 1 ${x(max + 1)}`], max + 1],
    [[`#DISBATCH PERENGINE START ${x(max + 1)}`], max + 1],
    [[`#DISBATCH BARRIER ${x(max)}`], max + 18],
  ];
  for (const [lines, bytes] of cases) {
    for (const checkOnly of [false, true]) {
      const parser = new TaskParser({ file: "Tasks", checkOnly });
      const fed = () => lines.forEach((l, i) => [...parser.feed(bytesOf(l), i + 1)]);
      assert.throws(
        fed,
        (e) => e instanceof TaskFileError && e.message === tooLong(lines.length, bytes),
      );
      // Nothing was taken: no task id, the per-engine block is still open.
      assert.equal(parser.nextTaskId, 0);
      assert.deepEqual([...parser.feed(bytesOf("#DISBATCH PERENGINE STOP s"), 9)].map(row), [
        ["STOP", 0, 9, checkOnly ? "" : lines.length > 1 ? "absc" : "s"],
      ]);
    }
  }
  // Exactly the limit, prefix and suffix included, is a task.
  const parser = new TaskParser({ file: "Tasks" });
  parser.feed(bytesOf("#DISBATCH PREFIX ab"), 1);
  const [, item] = [...parser.feed(bytesOf(x(max - 2)), 2)];
  assert.equal(item.kind === "N" && item.command.length, max);
});

Deno.test("#DISBATCH RESOURCES sets the request of the tasks below it, until default", () => {
  const p = new TaskParser({ file: "T" });
  const items = (t: string, line: number) => [...p.feed(enc(t), line)];
  const n = (t: string, line: number) =>
    items(t, line).filter((i) => i.kind === "N").map((i) => i.kind === "N" && i.resources);
  assert.deepEqual(n("a", 1), [undefined]);
  assert.deepEqual(items("#DISBATCH RESOURCES cores=4 gpus=1", 2), []);
  assert.deepEqual(n("b", 3), [{ cores: 4, gpus: 1, memMiB: 0 }]);
  assert.deepEqual(n("#DISBATCH REPEAT 2 c", 4), [
    { cores: 4, gpus: 1, memMiB: 0 },
    { cores: 4, gpus: 1, memMiB: 0 },
  ]);
  items("#DISBATCH resources mem=1G", 5);
  assert.deepEqual(n("d", 6), [{ cores: 1, gpus: 0, memMiB: 1024 }]);
  items("#DISBATCH RESOURCES default", 7);
  assert.deepEqual(n("e", 8), [undefined]);
  for (
    const [line, bad, detail] of [
      [9, "#DISBATCH RESOURCES cores=0", "cores=0 is not an integer from 1 to 1000000"],
      [10, "#DISBATCH RESOURCES", "expected cores=N, gpus=N, mem=SIZE or default"],
      [
        11,
        "#DISBATCH RESOURCES gpu=1",
        "unknown resource 'gpu=1' (expected cores=N, gpus=N, mem=SIZE or default)",
      ],
    ] as const
  ) {
    assert.throws(
      () => items(bad, line),
      (e) =>
        e instanceof TaskFileError &&
        e.message === `T:${line}: malformed #DISBATCH RESOURCES: ${detail}`,
    );
  }
  // A rejected line changes nothing.
  assert.deepEqual(n("f", 12), [undefined]);
});

Deno.test("lenient mode skips a malformed #DISBATCH RESOURCES with a warning", () => {
  const { rows, warnings } = parse(["#DISBATCH RESOURCES cores=x", "a"], true);
  assert.deepEqual(rows, [["PEND"], ["N", 0, 2, -1, "a"]]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /Malformed #DISBATCH RESOURCES \(cores=x is not/);
});

Deno.test("viewCommands: a command without PREFIX or SUFFIX is a view of the text fed", () => {
  for (const viewCommands of [false, true]) {
    const parser = new TaskParser({ file: "Tasks", viewCommands });
    const text = enc("echo a");
    const [item] = [...parser.feed(text, 1)].filter((i) => i.kind === "N") as NormalItem[];
    assert.equal(item.command.buffer === text.buffer, viewCommands);
    text[0] = 0x45; // E
    assert.equal(new TextDecoder().decode(item.command), viewCommands ? "Echo a" : "echo a");
    parser.feed(enc("#DISBATCH PREFIX x; "), 2);
    const [prefixed] = [...parser.feed(enc("echo b"), 3)] as NormalItem[];
    assert.equal(new TextDecoder().decode(prefixed.command), "x; echo b", "a copy with the prefix");
  }
});

Deno.test("keep: a view command is copied (once for a REPEAT's items); a copy is kept as is", () => {
  const text = enc("#DISBATCH REPEAT 3 echo r");
  const view = new TaskParser({ file: "Tasks", viewCommands: true });
  const items = [...view.feed(text, 1)].filter((i) => i.kind === "N") as NormalItem[];
  const kept = items.map((i) => view.keep(i.command));
  assert.notEqual(kept[0].buffer, text.buffer);
  assert.ok(kept[1] === kept[0] && kept[2] === kept[0], "one copy for the REPEAT");
  text.fill(0x20);
  assert.equal(new TextDecoder().decode(kept[0]), "echo r");
  const [next] = [...view.feed(enc("echo s"), 2)] as NormalItem[];
  assert.equal(new TextDecoder().decode(view.keep(next.command)), "echo s");
  const copying = new TaskParser({ file: "Tasks" });
  const [own] = [...copying.feed(enc("echo a"), 1)] as NormalItem[];
  assert.equal(copying.keep(own.command), own.command);
});
