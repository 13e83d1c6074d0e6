import assert from "node:assert/strict";
import { canonicalFields, putSkipLine, ResumeLine } from "./resume_line.ts";
import { formatStatusLine, parseStatusLine } from "./status_line.ts";
import type { TaskRecord } from "./task_record.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The whole S line the writer makes of a kept line. */
function sLine(r: ResumeLine): string {
  const line = r.skipLine();
  const out = new Uint8Array(line.length + 1);
  putSkipLine(line, out, 0);
  return dec.decode(out);
}

/** The S line as the round trip makes it: parse, kind S, format. */
function slowSkipLine(line: string): string {
  return formatStatusLine({ ...parseStatusLine(line)!, kind: "S" }) + "\n";
}

function rec(more: Partial<TaskRecord> = {}): TaskRecord {
  return {
    kind: "N",
    taskId: 7,
    line: 8,
    repeat: -1,
    host: "node3",
    pid: 4242,
    rc: 0,
    start: 1790000000.25,
    finish: 1790000020.5,
    outBytes: 12,
    outSnippet: "result 7\n",
    errBytes: 0,
    errSnippet: "",
    command: enc.encode("./analyse --seed 7"),
    ...more,
  };
}

Deno.test("ResumeLine: the S line of a line we wrote is its bytes with kind S", () => {
  const line = formatStatusLine(rec());
  const r = new ResumeLine(enc.encode(line));
  assert.ok(canonicalFields(enc.encode(line)), "taken without a round trip");
  assert.equal(sLine(r), " O S" + line.slice(4) + "\n");
  assert.equal(sLine(r), slowSkipLine(line));
  assert.deepEqual([r.valid, r.taskId, r.rc], [true, 7, 0]);
  assert.ok(r.matches(7, 8, -1, enc.encode("./analyse --seed 7")));
  assert.ok(!r.matches(7, 8, -1, enc.encode("./analyse --seed 8")));
  assert.ok(!r.matches(7, 9, -1, enc.encode("./analyse --seed 7")));
  assert.ok(!r.matches(7, 8, 0, enc.encode("./analyse --seed 7")));
  assert.ok(!r.matches(6, 8, -1, enc.encode("./analyse --seed 7")));
  assert.deepEqual(r.record(), rec({ start: 1790000000.25, finish: 1790000020.5 }));
});

Deno.test("ResumeLine: a line inside a larger buffer reads only its own bytes", () => {
  const line = formatStatusLine(rec());
  const buffer = enc.encode(`junk\n${line}\n${formatStatusLine(rec({ taskId: 9 }))}\n`);
  const r = new ResumeLine(buffer, 5, 5 + line.length);
  assert.deepEqual([r.valid, r.taskId], [true, 7]);
  assert.equal(sLine(r), slowSkipLine(line));
  assert.ok(r.matches(7, 8, -1, enc.encode("./analyse --seed 7")));
  assert.ok(!r.matches(7, 8, -1, enc.encode("./analyse --seed 7\n")));
  assert.deepEqual(r.record(), rec());
});

Deno.test("ResumeLine: lines that would change in the round trip take it (Python's among them)", () => {
  const ours = formatStatusLine(rec()).split("\t");
  const variants: [string, (f: string[]) => void][] = [
    // Python formats Elapsed from unrounded times: 0.010 for times shown 2.100 and 2.111.
    ["Python's Elapsed", (f) => [f[7], f[8], f[9]] = ["0.010", "2.100", "2.111"]],
    ["Python's short times", (f) => [f[7], f[8], f[9]] = ["0.010", "2.1", "2.11"]],
    ["a bytes-literal command", (f) => f[14] = "b'printf \\xff'"],
    ["a command that looks like one", (f) => f[14] = "b'x'"],
    ["a non-ASCII command", (f) => f[14] = "echo café"],
    ["a non-ASCII host", (f) => f[4] = "nœud"],
    ["an escape in a snippet", (f) => f[11] = "'a\\x01b'"],
    ["a double-quoted snippet", (f) => f[11] = `"it's"`],
    ["a needless double quote", (f) => f[13] = `"plain"`],
    ["a padded integer", (f) => f[1] = " 7"],
    ["Python's int() forms", (f) => f[6] = "0_0"],
    ["a leading zero", (f) => f[2] = "08"],
    ["minus zero", (f) => f[3] = "-0"],
    ["a plus sign", (f) => f[5] = "+4242"],
    ["minus zero elapsed", (f) => [f[7], f[8], f[9]] = ["-0.000", "5.000", "5.000"]],
    ["a flag that disagrees", (f) => f[0] = "    "],
    ["a flag letter N", (f) => f[0] = "NO  "],
    ["five flag characters", (f) => f[0] = " O   "],
    ["exponent times", (f) => [f[7], f[8], f[9]] = ["0.000", "1e3", "1e3"]],
    ["16 digits", (f) => [f[7], f[8], f[9]] = ["0.000", "1234567890123.000", "1234567890123.000"]],
  ];
  for (const [what, change] of variants) {
    const f = [...ours];
    change(f);
    const line = f.join("\t");
    assert.equal(canonicalFields(enc.encode(line)), null, what);
    const r = new ResumeLine(enc.encode(line));
    assert.equal(sLine(r), slowSkipLine(line), what);
    const p = parseStatusLine(line)!;
    assert.ok(r.matches(p.taskId, p.line, p.repeat, p.command), what);
  }
  assert.equal(new ResumeLine(enc.encode("not\ta record")).valid, false);
});

Deno.test("ResumeLine: fast and slow S lines agree on many generated records", () => {
  let s = 99;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const texts = ["", "x", "it's", 'say "hi"', "a\\b\n\t\r", "é", "\x01", "'\"", "..."];
  let fast = 0;
  for (let i = 0; i < 20_000; i++) {
    const start = pick([0, 0.001, 1.5, 1790000000, 999999999999]) + Math.floor(rand() * 1e6) / 1e3;
    const r = rec({
      taskId: Math.floor(rand() * 1e6),
      line: pick([0, 1, 99999]),
      repeat: pick([-1, 0, 3]),
      rc: pick([0, 0, 1, -9, -100, 255]),
      pid: pick([-1, 0, 123456]),
      start,
      finish: start + pick([0, 0.0005, 0.001, 0.0105, 20, 86400.25, -0.003, rand() * 100]),
      outBytes: pick([0, 1, 12]),
      errBytes: pick([0, 5]),
      outSnippet: pick(texts) + pick(texts),
      errSnippet: pick(texts),
      command: enc.encode(pick(["true", "echo\tTAB", "b'x'", "é", ""])),
    });
    const line = formatStatusLine(r);
    const bytes = enc.encode(line);
    if (canonicalFields(bytes)) fast++;
    assert.equal(sLine(new ResumeLine(bytes)), slowSkipLine(line), line);
  }
  assert.ok(fast > 1000, `${fast} lines took the fast path`);
});

Deno.test("ResumeLine: a line checked before is read the same without the proof", () => {
  const lines = [
    formatStatusLine(rec()),
    formatStatusLine(rec({ rc: -9, taskId: 12, line: 30, repeat: 4 })),
    formatStatusLine(rec({ command: enc.encode("printf 'a\\tb'\tx") })),
  ];
  for (const line of lines) {
    const bytes = enc.encode(`junk\n${line}\n`);
    const [fresh, checked] = [false, true].map((c) => new ResumeLine(bytes, 5, 5 + line.length, c));
    assert.ok(fresh.canonical && checked.canonical, line);
    assert.deepEqual([checked.taskId, checked.rc], [fresh.taskId, fresh.rc]);
    assert.equal(sLine(checked), sLine(fresh));
    const r = parseStatusLine(line)!;
    assert.ok(checked.matches(r.taskId, r.line, r.repeat, r.command));
    assert.ok(!checked.matches(r.taskId, r.line + 1, r.repeat, r.command));
    assert.ok(!checked.matches(r.taskId, r.line, r.repeat + 1, r.command));
    assert.ok(!checked.matches(r.taskId, r.line, r.repeat, enc.encode("true")));
  }
  // Not canonical: the flag is only a hint, a line that is not a record stays invalid.
  const junk = enc.encode("not\ta record");
  assert.equal(new ResumeLine(junk, 0, junk.length, true).valid, false);
  assert.equal(new ResumeLine(junk).canonical, false);
});
