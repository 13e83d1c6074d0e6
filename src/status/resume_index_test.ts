import assert from "node:assert/strict";
import { ResumeIndex } from "./resume_index.ts";
import { formatStatusLine, parseStatusLine, STATUS_HEADER } from "./status_line.ts";
import type { RecordKind, TaskRecord } from "./task_record.ts";

function rec(taskId: number, rc: number, kind: RecordKind = "N", pid = 1): TaskRecord {
  return {
    kind,
    taskId,
    line: taskId + 1,
    repeat: -1,
    host: "vm",
    pid,
    rc,
    start: 0,
    finish: 0,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: new TextEncoder().encode("true"),
  };
}

Deno.test("ResumeIndex: only kind N records are kept", () => {
  const idx = new ResumeIndex();
  for (const kind of ["P", "S", "Z", "B", "C"] as const) idx.add(rec(0, 0, kind));
  assert.equal(idx.size, 0);
  assert.equal(idx.get(0), undefined);
  const n = rec(0, 0);
  idx.add(n);
  assert.equal(idx.size, 1);
  assert.deepEqual(idx.get(0), n);
  assert.equal(idx.get(1), undefined);
});

Deno.test("ResumeIndex: a success replaces a failure, even a negative rc (B12 fixed)", () => {
  for (const failedRc of [3, -9, -100]) {
    const idx = new ResumeIndex();
    idx.add(rec(5, failedRc));
    idx.add(rec(5, 0, "N", 2));
    assert.equal(idx.get(5)!.pid, 2);
    idx.add(rec(5, failedRc, "N", 3));
    assert.equal(idx.get(5)!.pid, 2, "a later failure must not replace the success");
    assert.equal(idx.size, 1);
  }
});

Deno.test("ResumeIndex: among failures, and among successes, the first record stays", () => {
  const idx = new ResumeIndex();
  idx.add(rec(1, 2, "N", 10));
  idx.add(rec(1, -100, "N", 11));
  idx.add(rec(1, 1, "N", 12));
  assert.equal(idx.get(1)!.pid, 10);
  idx.add(rec(2, 0, "N", 20));
  idx.add(rec(2, 0, "N", 21));
  assert.equal(idx.get(2)!.pid, 20);
  assert.equal(idx.size, 2);
});

Deno.test("ResumeIndex.skippable: successes always, failures only without -R", () => {
  const idx = new ResumeIndex();
  const ok = rec(0, 0);
  const bad = rec(1, 3);
  idx.add(ok);
  idx.add(bad);
  assert.deepEqual(idx.skippable(0, false)?.record(), ok);
  assert.deepEqual(idx.skippable(0, true)?.record(), ok);
  assert.deepEqual(idx.skippable(1, false)?.record(), bad);
  assert.equal(idx.skippable(1, true), undefined);
  assert.equal(idx.skippable(2, false), undefined);
});

Deno.test("ResumeIndex.remember: the run still compares the task, and a better record forgets", async () => {
  const idx = new ResumeIndex();
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, formatStatusLine(rec(0, 3)) + "\n");
  await idx.addFile(path);
  idx.add(rec(1, 0));
  for (const id of [0, 1, 2, 5000]) idx.remember(id); // unknown ids: nothing to remember
  const true_ = new TextEncoder().encode("true");
  const one = idx.skippable(1, false)!;
  assert.ok(one.canonical && one.matches(1, 2, -1, true_));
  assert.ok(!one.matches(1, 2, -1, new TextEncoder().encode("false")));
  assert.ok(!one.matches(1, 3, -1, true_));
  assert.equal(idx.skippable(0, false)!.rc, 3);
  // A success after the remembered failure: its line is read, and proved, afresh (this one,
  // with an Elapsed that is not Finish − Start, takes the round trip).
  const fields = formatStatusLine(rec(0, 0, "N", 7)).split("\t");
  fields[7] = "0.001";
  await Deno.writeTextFile(path, fields.join("\t") + "\n");
  await idx.addFile(path);
  const zero = idx.skippable(0, true)!;
  assert.deepEqual([zero.canonical, zero.rc, zero.record()!.pid], [false, 0, 7]);
  assert.ok(new TextDecoder().decode(zero.skipLine()).includes("\t0.000\t"));
  assert.equal(idx.skippable(2, false), undefined);
  idx.close();
  await Deno.remove(path);
});

Deno.test("ResumeIndex.addText: whole lines count, header and junk are ignored", () => {
  const idx = new ResumeIndex();
  const text = `${STATUS_HEADER}\n${formatStatusLine(rec(0, 0))}\nnot a record\n\n` +
    `${formatStatusLine(rec(1, 2))}\n`;
  assert.equal(idx.addText(text), null);
  assert.equal(idx.size, 2);
  assert.equal(idx.get(1)!.rc, 2);
  assert.equal(idx.addText(""), null);
});

Deno.test("ResumeIndex.addText: an unterminated last line is returned, never used", () => {
  const idx = new ResumeIndex();
  const whole = formatStatusLine(rec(0, 0));
  // Cut inside the command: still 15 fields, so it would parse as a record of `tr`.
  const torn = formatStatusLine(rec(1, 0)).slice(0, -2);
  assert.ok(parseStatusLine(torn), "the torn line alone parses");
  assert.equal(idx.addText(`${whole}\n${torn}`), torn);
  assert.equal(idx.size, 1);
  assert.equal(idx.get(1), undefined);
  assert.equal(new ResumeIndex().addText(torn), torn, "a file of one unterminated line");
});

Deno.test("ResumeIndex.addText: Python disBatch's lines, the last one cut", () => {
  // As disBatch 3 writes them: a per-engine line, a barrier, a task, then one cut in its
  // command (a bytes-literal command, as Python writes a non-UTF-8 one).
  const py = [
    " O P\t0\t1\t-1\tvm\t501\t0\t0.002\t1.5\t1.502\t3\t'pe\\n'\t0\t''\techo pe",
    "B    \t0\t3\t-1\tvm\t500\t0\t0.000\t2.0\t2.0\t0\t''\t0\t''\t#DISBATCH BARRIER",
    "    \t1\t4\t-1\tvm\t502\t0\t0.010\t2.1\t2.11\t0\t''\t0\t''\ttrue",
    "    \t2\t5\t-1\tvm\t503\t0\t0.010\t2.2\t2.21\t0\t''\t0\t''\tb'printf \\xff",
  ].join("\n");
  const idx = new ResumeIndex();
  assert.equal(idx.addText(py), py.split("\n")[3]);
  assert.deepEqual([idx.size, idx.get(1)?.rc, idx.get(2)], [1, 0, undefined]);
});

/** A status file's text: the header, junk, every record kind, repeated ids, both formats. */
function mixedStatusText(n: number, seed: number): string {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = [STATUS_HEADER, "not a record", ""];
  for (let i = 0; i < n; i++) {
    const id = Math.floor(rand() * n / 2);
    const kinds: RecordKind[] = ["N", "N", "N", "Z", "P", "S", "B"];
    const r = rec(id, rand() < 0.3 ? Math.floor(rand() * 5) - 2 : 0, kinds[i % kinds.length], i);
    // Every fifth command has a TAB: readers split on the first 14 TABs only (spec §7.1).
    const gap = i % 5 === 0 ? "\t" : " ";
    r.command = new TextEncoder().encode(`echo ${i}${gap}${"x".repeat(i % 50)}`);
    lines.push(formatStatusLine(r));
  }
  return lines.join("\n") + "\n";
}

Deno.test("ResumeIndex.addFile decides exactly as addText, reading records back from the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const seed of [1, 2, 3]) {
      const text = mixedStatusText(3000, seed);
      await Deno.writeTextFile(`${dir}/s`, text);
      const byText = new ResumeIndex();
      byText.addText(text);
      const byFile = new ResumeIndex();
      assert.equal(await byFile.addFile(`${dir}/s`), null);
      assert.equal(byFile.size, byText.size);
      // Backwards too: records asked for out of file order move the read window.
      for (const ids of [[...Array(1600).keys()], [...Array(1600).keys()].reverse()]) {
        for (const id of ids) {
          for (const retry of [false, true]) {
            const [f, t] = [byFile.skippable(id, retry), byText.skippable(id, retry)];
            assert.deepEqual(f?.record(), t?.record(), `${id}`);
            assert.deepEqual(f?.skipLine(), t?.skipLine(), `${id}`);
          }
        }
      }
      byFile.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResumeIndex.addFile: lines longer than a read window, a torn end, odd integers, far ids", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = rec(0, 0);
    big.command = new TextEncoder().encode("echo " + "y".repeat(1_500_000));
    const odd = formatStatusLine(rec(1, 0)).split("\t");
    odd[1] = " 1_0 "; // Python's int() reads task id 10
    const far = rec(1e12, 0);
    const text = [formatStatusLine(big), odd.join("\t"), formatStatusLine(far), ""].join("\n");
    const torn = formatStatusLine(rec(2, 0)).slice(0, 30);
    await Deno.writeTextFile(`${dir}/s`, text + torn);
    const idx = new ResumeIndex();
    assert.equal(await idx.addFile(`${dir}/s`), torn);
    assert.equal(idx.size, 3);
    assert.deepEqual(idx.get(0)?.command, big.command);
    assert.equal(idx.get(10)?.taskId, 10);
    assert.equal(idx.get(1e12)?.taskId, 1e12);
    assert.equal(idx.get(2), undefined, "the torn line is never used");
    idx.close();
    await assert.rejects(new ResumeIndex().addFile(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResumeIndex.addFile: more than 255 files (the dense arrays keep a file's number in a byte)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const idx = new ResumeIndex();
    for (let k = 0; k < 300; k++) {
      // File k: task k failed with rc k + 1, and task 0 failed, then succeeded in file 299.
      const lines = [rec(k, k + 1, "N", k), rec(0, k === 299 ? 0 : 5, "N", 1000 + k)];
      await Deno.writeTextFile(`${dir}/s${k}`, lines.map(formatStatusLine).join("\n") + "\n");
      assert.equal(await idx.addFile(`${dir}/s${k}`), null);
    }
    assert.equal(idx.size, 300);
    for (const k of [1, 254, 255, 256, 299]) assert.equal(idx.get(k)?.pid, k, `${k}`);
    assert.deepEqual([idx.get(0)?.pid, idx.get(0)?.rc], [1299, 0]);
    assert.equal(idx.skippable(299, true), undefined);
    idx.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResumeIndex: ids across pages, with pages no id falls in, from two files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Around the page size (65,536), far apart, at the dense limit (2^24) and past it.
    const first = [5, 65_535, 65_536, 3_000_000, 16_777_215, 16_777_216];
    const second = [65_536, 3_000_001, 16_777_215]; // 65,536 and 16,777,215 succeed here
    const lines = (ids: number[], rc: number, pid: number) =>
      ids.map((id) => formatStatusLine(rec(id, rc, "N", pid)) + "\n").join("");
    await Deno.writeTextFile(
      `${dir}/a`,
      lines(first.slice(0, 2), 0, 1) + lines(first.slice(2), 3, 1),
    );
    await Deno.writeTextFile(`${dir}/b`, lines(second, 0, 2));
    const idx = new ResumeIndex();
    await idx.addFile(`${dir}/a`);
    await idx.addFile(`${dir}/b`);
    assert.equal(idx.size, 7);
    const got = (id: number) => [idx.get(id)?.pid, idx.get(id)?.rc];
    assert.deepEqual(got(5), [1, 0]);
    assert.deepEqual(got(65_535), [1, 0]);
    assert.deepEqual(got(65_536), [2, 0]);
    assert.deepEqual(got(3_000_000), [1, 3]);
    assert.deepEqual(got(3_000_001), [2, 0]);
    assert.deepEqual(got(16_777_215), [2, 0]);
    assert.deepEqual(got(16_777_216), [1, 3]);
    for (const id of [0, 6, 65_537, 1_000_000, 2_999_999, 16_777_214, 16_777_217]) {
      assert.equal(idx.get(id), undefined, `${id}`);
      assert.equal(idx.skippable(id, false), undefined, `${id}`);
    }
    idx.remember(1_000_000); // no record: nothing to remember
    assert.equal(idx.skippable(3_000_000, true), undefined);
    assert.equal(idx.skippable(3_000_000, false)?.rc, 3);
    idx.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
