/**
 * Appendix A9–A16 and A20: snippets and escaping, CR handling, signals, header, resume,
 * fail-fast. Volatile fields are projected away (spec §14).
 */
import assert from "node:assert/strict";
import {
  disbatch,
  latin1,
  listDir,
  livePids,
  sortedProjection,
  sortProjected,
  splitStatus,
  STATUS_HEADER,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";

async function run(dir: string, args: string[], tasks: string | Uint8Array, name = "Tasks") {
  await writeTasks(`${dir}/${name}`, typeof tasks === "string" ? latin1(tasks) : tasks);
  return await disbatch([...args, name], { cwd: dir });
}

Deno.test("A9 output snippets and escaping", async () => {
  await withTempDir(async (dir) => {
    const tasks = [
      "printf '%045d' 0",
      "printf '%0100d' 7",
      `echo "it's"`,
      `printf '%s' "it's \\"q\\""`,
      "printf 'a\\xffb'",
      "printf 'c\\x01\\x7f\\t\\r\\\\x'",
      "printf '%039d\\xc3\\xa9tail' 0",
      "printf 'caf\\xc3\\xa9 \\xf0\\x9f\\x98\\x80 \\xe2\\x80\\x8b \\xc2\\xa0 \\xc2\\x85'",
      "echo \xff\xfe nonutf8cmd",
      "head -c 1000000 /dev/zero",
      "printf abc; sleep 0.3; printf '%050d' 1; sleep 0.3; printf XYZ",
      "printf 'x' >&2; exit 0",
      "echo caf\xc3\xa9 cmd",
      "printf '%040d' 0",
      "printf '%041d' 0",
      "printf '%080d' 0",
      "printf '%081d' 0",
    ].join("\n") + "\n";
    const r = await run(dir, ["-s", "localhost:4", "-p", "run"], tasks);
    assert.equal(r.code, 0, r.stderr);
    const z = (n: number) => "0".repeat(n);
    const nul = "\\x00".repeat(40);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      ` O  |0|1|-1|0|45|'${z(40)}...${z(5)}'|0|''|printf '%045d' 0`,
      ` O  |1|2|-1|0|100|'${z(40)}...${z(39)}7'|0|''|printf '%0100d' 7`,
      ` O  |2|3|-1|0|5|"it's\\n"|0|''|echo "it's"`,
      ` O  |3|4|-1|0|8|'it\\'s "q"'|0|''|printf '%s' "it's \\"q\\""`,
      ` O  |4|5|-1|0|3|'a\ufffdb'|0|''|printf 'a\\xffb'`,
      ` O  |5|6|-1|0|7|'c\\x01\\x7f\\t\\r\\\\x'|0|''|printf 'c\\x01\\x7f\\t\\r\\\\x'`,
      ` O  |6|7|-1|0|45|'${z(39)}\ufffd...\ufffdtail'|0|''|printf '%039d\\xc3\\xa9tail' 0`,
      ` O  |7|8|-1|0|20|'café 😀 \\u200b \\xa0 \\x85'|0|''|printf 'caf\\xc3\\xa9 \\xf0\\x9f\\x98\\x80 \\xe2\\x80\\x8b \\xc2\\xa0 \\xc2\\x85'`,
      ` O  |8|9|-1|0|14|'\ufffd\ufffd nonutf8cmd\\n'|0|''|b'echo \\xff\\xfe nonutf8cmd'`,
      ` O  |9|10|-1|0|1000000|'${nul}...${nul}'|0|''|head -c 1000000 /dev/zero`,
      ` O  |10|11|-1|0|56|'abc${z(37)}...${
        z(12)
      }1XYZ'|0|''|printf abc; sleep 0.3; printf '%050d' 1; sleep 0.3; printf XYZ`,
      `  E |11|12|-1|0|0|''|1|'x'|printf 'x' >&2; exit 0`,
      ` O  |12|13|-1|0|10|'café cmd\\n'|0|''|echo café cmd`,
      ` O  |13|14|-1|0|40|'${z(40)}'|0|''|printf '%040d' 0`,
      ` O  |14|15|-1|0|41|'${z(40)}...0'|0|''|printf '%041d' 0`,
      ` O  |15|16|-1|0|80|'${z(40)}...${z(40)}'|0|''|printf '%080d' 0`,
      ` O  |16|17|-1|0|81|'${z(40)}...${z(40)}'|0|''|printf '%081d' 0`,
    ]);
  });
});

Deno.test("A10 CR/LF handling: a lone CR makes two tasks on one line", async () => {
  await withTempDir(async (dir) => {
    const r = await run(
      dir,
      ["-s", "localhost:2", "-p", "run"],
      "echo a\r\necho b\recho c\n\x0b\necho \x0cd\n  \t \necho last",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      " O  |0|1|-1|0|2|'a\\n'|0|''|echo a",
      " O  |1|2|-1|0|2|'b\\n'|0|''|echo b",
      " O  |2|2|-1|0|2|'c\\n'|0|''|echo c",
      " O  |3|4|-1|0|3|'\\x0cd\\n'|0|''|echo \x0cd",
      " O  |4|6|-1|0|5|'last\\n'|0|''|echo last",
    ]);
  });
});

Deno.test("A11 signals, background children holding the pipe, closed pipes", async () => {
  await withTempDir(async (dir) => {
    const t0 = Date.now();
    const r = await run(
      dir,
      ["-s", "localhost:1", "-p", "run"],
      "kill -9 $$\nsleep 2 & echo started\necho next\nexec 1>&- 2>&-; sleep 0.2\n",
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = await statusLines(`${dir}/run`);
    assert.deepEqual(sortedProjection(lines), [
      "R   |0|1|-1|-9|0|''|0|''|kill -9 $$",
      " O  |1|2|-1|0|8|'started\\n'|0|''|sleep 2 & echo started",
      " O  |2|3|-1|0|5|'next\\n'|0|''|echo next",
      "    |3|4|-1|0|0|''|0|''|exec 1>&- 2>&-; sleep 0.2",
    ]);
    // The slot waits for the background child to close the pipe (here: ~2 s, under the grace).
    const start2 = Number(splitStatus(lines.find((l) => l.split("\t")[1] === "2")!)[8]);
    assert.ok(start2 * 1000 - t0 >= 1500, "task 2 started after the pipe closed");
  });
});

Deno.test("A12 --status-header, and the header alone for an empty task file", async () => {
  await withTempDir(async (dir) => {
    const r = await run(dir, ["-s", "localhost:2", "-p", "run", "--status-header"], "echo hi\n");
    assert.equal(r.code, 0, r.stderr);
    const lines = await statusLines(`${dir}/run`);
    assert.equal(lines[0], STATUS_HEADER);
    assert.deepEqual(sortedProjection(lines.slice(1)), [" O  |0|1|-1|0|3|'hi\\n'|0|''|echo hi"]);
    const e = await run(
      dir,
      ["-s", "localhost:2", "-p", "empty", "--status-header"],
      "# c\n#DISBATCH PREFIX x\n",
      "T2",
    );
    assert.equal(e.code, 0);
    assert.equal(e.stderr, "No tasks to run.\n");
    assert.equal(await Deno.readTextFile(`${dir}/empty_status.txt`), STATUS_HEADER + "\n");
  });
});

Deno.test("A13-A15 resume, resume with a new task, retry with -R -e", async () => {
  await withTempDir(async (dir) => {
    const r1 = await run(dir, ["-s", "localhost:2", "-p", "run1"], "echo a\nexit 2\necho c\n");
    assert.equal(r1.code, 0, r1.stderr);
    const run1 = await statusLines(`${dir}/run1`);
    assert.deepEqual(sortedProjection(run1), [
      " O  |0|1|-1|0|2|'a\\n'|0|''|echo a",
      "R   |1|2|-1|2|0|''|0|''|exit 2",
      " O  |2|3|-1|0|2|'c\\n'|0|''|echo c",
    ]);
    await writeTasks(`${dir}/Tasks2`, "echo a\nexit 2\necho c\necho d\n");
    const r2 = await disbatch([
      "-s",
      "localhost:2",
      "-p",
      "run2",
      "-r",
      "run1_status.txt",
      "Tasks2",
    ], { cwd: dir });
    assert.equal(r2.code, 0, r2.stderr);
    const run2 = await statusLines(`${dir}/run2`);
    assert.deepEqual(run2.slice(0, 3).map((l) => l.split("\t").slice(0, 2).join("|")), [
      " O S|0",
      "R  S|1",
      " O S|2",
    ]);
    assert.deepEqual(sortedProjection(run2), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|echo a",
      "R  S|1|2|-1|2|0|''|0|''|exit 2",
      " O S|2|3|-1|0|2|'c\\n'|0|''|echo c",
      " O  |3|4|-1|0|2|'d\\n'|0|''|echo d",
    ]);
    // S lines keep node, PID, start and finish of the old record.
    const old = new Map(run1.map((l) => [l.split("\t")[1], splitStatus(l)]));
    for (const l of run2.slice(0, 3)) {
      const f = splitStatus(l);
      const o = old.get(f[1])!;
      assert.deepEqual([f[4], f[5], f[8], f[9]], [o[4], o[5], o[8], o[9]]);
    }
    const r2e = await disbatch([
      "-s",
      "localhost:2",
      "-p",
      "run2e",
      "-e",
      "-r",
      "run1_status.txt",
      "Tasks2",
    ], { cwd: dir });
    assert.equal(r2e.code, 1, "a skipped failure counts for -e");
    const r3 = await disbatch([
      "-s",
      "localhost:2",
      "-p",
      "run3",
      "-r",
      "run1_status.txt",
      "-R",
      "-e",
      "Tasks2",
    ], { cwd: dir });
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /Some tasks failed with non-zero exit codes -- please check the logs/);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run3`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|echo a",
      "R   |1|2|-1|2|0|''|0|''|exit 2",
      " O S|2|3|-1|0|2|'c\\n'|0|''|echo c",
      " O  |3|4|-1|0|2|'d\\n'|0|''|echo d",
    ]);
  });
});

Deno.test("A16-A18 chained resume with per-engine tasks and barriers", async () => {
  await withTempDir(async (dir) => {
    const first =
      "#DISBATCH PERENGINE START echo pe\n#DISBATCH REPEAT 3 start 1 [ $DISBATCH_REPEAT_INDEX -ne 2 ]\n#DISBATCH BARRIER\necho last\n";
    const r1 = await run(dir, ["-s", "localhost:2", "-p", "run1", "--status-header"], first);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(
      sortedProjection((await statusLines(`${dir}/run1`)).slice(1)),
      sortProjected([
        " O P|0|1|-1|0|3|'pe\\n'|0|''|echo pe",
        "    |0|2|1|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "R   |1|2|2|1|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "    |2|2|3|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "B    |3|3|-1|0|0|''|0|''|#DISBATCH BARRIER",
        " O  |4|4|-1|0|5|'last\\n'|0|''|echo last",
      ]),
    );
    // A17: everything skipped; the port exits 0 (the original raced and exited 1).
    const r2 = await disbatch([
      "-s",
      "localhost:2",
      "-p",
      "run2",
      "--status-header",
      "-r",
      "run1_status.txt",
      "Tasks",
    ], { cwd: dir });
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(sortedProjection((await statusLines(`${dir}/run2`)).slice(1)), [
      "   S|0|2|1|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
      "R  S|1|2|2|1|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
      "   S|2|2|3|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
      "B    |3|3|-1|0|0|''|0|''|#DISBATCH BARRIER",
      " O S|4|4|-1|0|5|'last\\n'|0|''|echo last",
    ]);
    await writeTasks(`${dir}/Tasks`, first + "echo new\n");
    const r3 = await disbatch([
      "-s",
      "localhost:2",
      "-p",
      "run3",
      "-r",
      "run1_status.txt",
      "-r",
      "run2_status.txt",
      "-R",
      "Tasks",
    ], { cwd: dir });
    assert.equal(r3.code, 0, r3.stderr);
    assert.deepEqual(
      sortedProjection(await statusLines(`${dir}/run3`)),
      sortProjected([
        " O P|0|1|-1|0|3|'pe\\n'|0|''|echo pe",
        "   S|0|2|1|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "R   |1|2|2|1|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "   S|2|2|3|0|0|''|0|''|[ $DISBATCH_REPEAT_INDEX -ne 2 ]",
        "B    |3|3|-1|0|0|''|0|''|#DISBATCH BARRIER",
        " O S|4|4|-1|0|5|'last\\n'|0|''|echo last",
        " O  |5|5|-1|0|4|'new\\n'|0|''|echo new",
      ]),
    );
  });
});

Deno.test("A20 --fail-fast kills the running task and exits 1", async () => {
  await withTempDir(async (dir) => {
    const marker = `failfast-${crypto.randomUUID().slice(0, 8)}`;
    const r = await run(
      dir,
      ["-s", "localhost:2", "-p", "run", "--fail-fast"],
      `sleep 1000; true # ${marker}\nsleep 0.3; exit 1\ntouch A.txt\n`,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Quitting early due to task failure with --fail-fast/);
    // The original records only the failed task (it leaves `sleep 1000` running); disbatch
    // kills it and records it (rc -15, or -9 when SIGTERM was not enough).
    assert.deepEqual(
      sortedProjection(await statusLines(`${dir}/run`)).map((l) => l.replace(/\|-9\|/, "|-15|")),
      [
        `R   |0|1|-1|-15|0|''|0|''|sleep 1000; true # ${marker}`,
        "R   |1|2|-1|1|0|''|0|''|sleep 0.3; exit 1",
      ],
    );
    assert.ok(!(await listDir(dir)).includes("A.txt"));
    assert.deepEqual(await livePids(marker), [], "no sleep 1000 survives");
  });
});
