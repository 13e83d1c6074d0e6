/**
 * Resume (spec §10, §11; T31–T36): mismatches are fatal before anything runs, `--force-resume`
 * keeps the old records, chains of status files, unreadable `-r` files, fully skipped runs.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  listDir,
  type RunResult,
  sortedProjection,
  splitStatus,
  STATUS_HEADER,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";

function taskIdOf(line: string): number {
  return Number(splitStatus(line)[1]);
}

const RUN1 = "touch a; echo a\nexit 2\ntouch c; echo c\n";

/** A directory holding run1 (`touch a; echo a` / `exit 2` / `touch c; echo c`) done. */
async function withRun1(fn: (dir: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, RUN1);
    const r = await disbatch(["-s", "localhost:2", "-p", "run1", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["a", "c"]) await Deno.remove(`${dir}/${f}`);
    await fn(dir);
  });
}

function resume(dir: string, prefix: string, file: string, ...extra: string[]): Promise<RunResult> {
  return disbatch(
    ["-s", "localhost:2", "-p", prefix, "-r", "run1_status.txt", ...extra, file],
    { cwd: dir },
  );
}

/** Files a run created, i.e. everything but the task files and run1's. */
async function created(dir: string): Promise<string[]> {
  return (await listDir(dir)).filter((n) => !n.startsWith("Tasks") && !n.startsWith("run1_"));
}

Deno.test("T31 T32 a mismatch (command changed, line shifted) is fatal before anything runs", async () => {
  await withRun1(async (dir) => {
    await writeTasks(`${dir}/Tasks3`, "touch a; echo A\nexit 2\ntouch c; echo c\ntouch d\n");
    await writeTasks(`${dir}/Tasks5`, "\n" + RUN1 + "touch d\n");
    for (const file of ["Tasks3", "Tasks5"]) {
      const r = await resume(dir, `run_${file}`, file);
      assert.equal(r.code, 1, file);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /Recovery status file task mismatch \(use --force-resume/);
      assert.match(lines[0], /task 0 /);
      assert.deepEqual(await created(dir), [], `${file}: no file created, no task ran`);
    }
  });
});

Deno.test("T31 on stdin: the mismatch stops the run when reached; exit 1", async () => {
  await withRun1(async (dir) => {
    const r = await disbatch(["-s", "localhost:2", "-p", "run2", "-r", "run1_status.txt", "-"], {
      cwd: dir,
      stdin: "touch a; echo a\nexit 2\ntouch c; echo C\ntouch d\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Recovery status file task mismatch[^\n]*task 2 /);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run2`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "R  S|1|2|-1|2|0|''|0|''|exit 2",
    ]);
    assert.ok(!(await listDir(dir)).includes("d"), "nothing after the mismatch ran");
  });
});

Deno.test("T33 --force-resume skips anyway and records the old commands; exit 0", async () => {
  await withRun1(async (dir) => {
    await writeTasks(`${dir}/Tasks3`, "touch a; echo A\nexit 2\ntouch c; echo C\n");
    const r = await resume(dir, "run2", "Tasks3", "--force-resume");
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run2`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "R  S|1|2|-1|2|0|''|0|''|exit 2",
      " O S|2|3|-1|0|2|'c\\n'|0|''|touch c; echo c",
    ]);
    assert.deepEqual(await created(dir), ["run2_dbUtil.sh", "run2_driver.log", "run2_status.txt"]);
  });
});

Deno.test("everything skipped: exit 0 at once (no context), -e counts old failures", async () => {
  await withRun1(async (dir) => {
    const t0 = Date.now();
    const r = await resume(dir, "run2", "Tasks");
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.ok(Date.now() - t0 < 20_000, "not after a 30 s tick");
    const flags = (await statusLines(`${dir}/run2`)).map((l) => l.split("\t")[0]);
    assert.deepEqual(flags, [" O S", "R  S", " O S"]);
    const e = await resume(dir, "run3", "Tasks", "-e");
    assert.equal(e.code, 1);
    assert.equal(e.stderr, "Some tasks failed with non-zero exit codes -- please check the logs\n");
    assert.ok(!(await created(dir)).some((n) => n.includes("context")), "no context launched");
  });
});

Deno.test("T34 chained resume: the latest success of a task wins over an older failure", async () => {
  await withRun1(async (dir) => {
    // run2 retries the failure (changed: -R does not compare), which now succeeds; run3
    // resumes from both and skips all.
    await writeTasks(`${dir}/Tasks`, "touch a; echo a\n[ -e fixed ] || exit 2\ntouch c; echo c\n");
    await writeTasks(`${dir}/fixed`, "");
    const r2 = await disbatch(
      ["-s", "localhost:2", "-p", "run2", "-r", "run1_status.txt", "-R", "Tasks"],
      { cwd: dir },
    );
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run2`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "    |1|2|-1|0|0|''|0|''|[ -e fixed ] || exit 2",
      " O S|2|3|-1|0|2|'c\\n'|0|''|touch c; echo c",
    ]);
    const r3 = await disbatch(
      [
        "-s",
        "localhost:2",
        "-p",
        "run3",
        "-r",
        "run1_status.txt",
        "-r",
        "run2_status.txt",
        "-e",
        "-R",
        "Tasks",
      ],
      { cwd: dir },
    );
    assert.deepEqual(r3, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run3`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "   S|1|2|-1|0|0|''|0|''|[ -e fixed ] || exit 2",
      " O S|2|3|-1|0|2|'c\\n'|0|''|touch c; echo c",
    ]);
    assert.ok(!(await listDir(dir)).includes("a"), "nothing ran again");
  });
});

Deno.test("T35 a status file with only S lines knows nothing: every task runs again", async () => {
  await withRun1(async (dir) => {
    const r2 = await resume(dir, "run2", "Tasks");
    assert.equal(r2.code, 0, r2.stderr);
    const r3 = await disbatch(
      ["-s", "localhost:2", "-p", "run3", "-r", "run2_status.txt", "Tasks"],
      {
        cwd: dir,
      },
    );
    assert.equal(r3.code, 0, r3.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run3`)), [
      " O  |0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "R   |1|2|-1|2|0|''|0|''|exit 2",
      " O  |2|3|-1|0|2|'c\\n'|0|''|touch c; echo c",
    ]);
  });
});

Deno.test("T36 an unreadable -r file: exit 2, one message, nothing created or run", async () => {
  await withRun1(async (dir) => {
    await Deno.mkdir(`${dir}/adir`);
    for (const bad of ["nonexist_status.txt", "adir"]) {
      const r = await disbatch(
        ["-s", "localhost:2", "-p", "run2", "-r", "run1_status.txt", "-r", bad, "Tasks"],
        { cwd: dir },
      );
      assert.equal(r.code, 2, bad);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        new RegExp(`^disbatch: error: Cannot read status file ${bad}: .+\\n$`),
      );
      assert.deepEqual(await created(dir), ["adir"], bad);
    }
  });
});

Deno.test("resume ignores unparsable lines and an unterminated last one (logged); bad directive: exit 3", async () => {
  await withRun1(async (dir) => {
    const old = (await statusLines(`${dir}/run1`)).sort((x, y) => taskIdOf(x) - taskIdOf(y));
    // The last line lost its newline and the last byte of its command (a write cut short): it
    // would parse as task 2 `touch c; echo ` and refuse the resume as a mismatch.
    const torn = old[2].slice(0, -1);
    await Deno.writeTextFile(
      `${dir}/mixed.txt`,
      `garbage\n\t\t\nx\ty\n${old[0]}\n${old[1]}\n${torn}`,
    );
    const r = await disbatch(
      ["-s", "localhost:2", "-p", "run2", "-r", "mixed.txt", "Tasks"],
      { cwd: dir },
    );
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run2`)), [
      " O S|0|1|-1|0|2|'a\\n'|0|''|touch a; echo a",
      "R  S|1|2|-1|2|0|''|0|''|exit 2",
      " O  |2|3|-1|0|2|'c\\n'|0|''|touch c; echo c",
    ]);
    const log = await Deno.readTextFile(`${dir}/run2_driver.log`);
    assert.ok(
      log.includes(
        `WARNING driver: -r mixed.txt: ignored its last line, which has no newline (a write cut short): ${
          JSON.stringify(torn)
        }\n`,
      ),
      log,
    );
    await writeTasks(`${dir}/Tasks2`, RUN1 + "#DISBATCH NOPE\n");
    const bad = await resume(dir, "run3", "Tasks2");
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^disbatch: error: Tasks2:4: /);
    assert.ok(!(await listDir(dir)).some((n) => n.startsWith("run3")));
  });
});

Deno.test("a Python disBatch status file cut in its last line: that task runs, the rest is skipped", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo hello\nexit 3\necho world\n");
    // As disBatch 3 writes it with --status-header; the third line was cut inside its command.
    const py = [
      STATUS_HEADER,
      " O  \t0\t1\t-1\tvm\t21277\t0\t0.005\t1700000000.123\t1700000000.128\t6\t'hello\\n'\t0\t''\techo hello",
      "R   \t1\t2\t-1\tvm\t21278\t3\t0.004\t1700000000.124\t1700000000.128\t0\t''\t0\t''\texit 3",
      " O  \t2\t3\t-1\tvm\t21279\t0\t0.006\t1700000000.125\t1700000000.131\t6\t'world\\n'\t0\t''\techo wor",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/py_status.txt`, py);
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "-r", "py_status.txt", "Tasks"], {
      cwd: dir,
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      " O S|0|1|-1|0|6|'hello\\n'|0|''|echo hello",
      "R  S|1|2|-1|3|0|''|0|''|exit 3",
      " O  |2|3|-1|0|6|'world\\n'|0|''|echo world",
    ]);
    assert.match(
      await Deno.readTextFile(`${dir}/run_driver.log`),
      /WARNING driver: -r py_status\.txt: ignored its last line, which has no newline .*echo wor"\n/,
    );
  });
});

Deno.test("a resumed run over a task file of many read buffers runs and records each command whole", async () => {
  await withTempDir(async (dir) => {
    // ~3 KB lines: the file spans several of the buffers it is read into (line_reader.ts),
    // which a resumed run's commands are views of until the task is kept (intake.ts).
    const pad = " # " + "x".repeat(3000);
    const lines = ["#DISBATCH PERENGINE START touch pe_started"];
    for (let i = 0; i < 300; i++) lines.push(`echo t${i}; exit ${i % 2}${pad}`);
    lines.push("#DISBATCH REPEAT 2 echo rep; exit 1");
    await writeTasks(`${dir}/Tasks`, lines.join("\n") + "\n");
    const r1 = await disbatch(["-s", "localhost:4", "-p", "run1", "Tasks"], { cwd: dir });
    assert.equal(r1.code, 0, r1.stderr); // the odd tasks failed: the run did not
    await Deno.remove(`${dir}/pe_started`);
    const r2 = await disbatch(
      ["-s", "localhost:4", "-p", "run2", "-r", "run1_status.txt", "-R", "Tasks"],
      { cwd: dir },
    );
    assert.equal(r2.code, 0, r2.stderr);
    await Deno.stat(`${dir}/pe_started`); // the per-engine command ran in the resumed run
    const byId = new Map<number, string[]>();
    const perEngine: string[] = [];
    for (const line of await statusLines(`${dir}/run2`)) {
      const f = splitStatus(line);
      if (f[0][3] === "P") perEngine.push(f[14]);
      else byId.set(taskIdOf(line), f);
    }
    assert.ok(perEngine.length > 0 && perEngine.every((c) => c === "touch pe_started"));
    assert.equal(byId.size, 302);
    for (let i = 0; i < 302; i++) {
      const f = byId.get(i)!;
      const command = i < 300 ? `echo t${i}; exit ${i % 2}${pad}` : "echo rep; exit 1";
      assert.equal(f[14], command, `task ${i}`);
      assert.equal(f[0][3], i % 2 === 0 && i < 300 ? "S" : " ", `task ${i} skipped or run`);
      if (f[0][3] === " ") assert.equal(f[11], `'${command.split(";")[0].slice(5)}\\n'`, `${i}`);
    }
  });
});
