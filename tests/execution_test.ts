/**
 * How tasks are run and recorded (spec §3, §4, §6, §7, §8, §11; T01–T09, T15, T16, T21–T27):
 * files of a run, environment, working directory, sessions, stdin task files (streamed),
 * failure handling, and runs with nothing to do.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  latin1,
  listDir,
  livePids,
  sortedProjection,
  splitStatus,
  STATUS_HEADER,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import { exists, killAll, startDisbatch, uniqueMarker, waitFor } from "./background_run.ts";
import { maxConcurrent, taskRuns } from "./cluster_lab.ts";

const HOST = Deno.hostname();
const T01_TASKS = "echo hello\necho err >&2\nexit 3\n";
const T01_PROJECTION = [
  " O  |0|1|-1|0|6|'hello\\n'|0|''|echo hello",
  "  E |1|2|-1|0|0|''|4|'err\\n'|echo err >&2",
  "R   |2|3|-1|3|0|''|0|''|exit 3",
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Checks that the names in `dir` are `Tasks` plus exactly one file per pattern. */
function assertFiles(names: string[], patterns: RegExp[]): void {
  const rest = names.filter((n) => n !== "Tasks");
  for (const re of patterns) {
    assert.equal(rest.filter((n) => re.test(n)).length, 1, `one file matching ${re} in ${rest}`);
  }
  for (const n of rest) assert.ok(patterns.some((re) => re.test(n)), `unexpected file ${n}`);
}

Deno.test("T01 basic run: silent, status lines, and exactly the files of §8", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, T01_TASKS);
    const r = await disbatch(["-s", "localhost:2", "Tasks"], { cwd: dir });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const names = await listDir(dir);
    const p = "^Tasks_disBatch_[0-9]{12}_[0-9]{3}_";
    const h = escapeRe(HOST);
    assertFiles(names, [
      new RegExp(`${p}status\\.txt$`),
      new RegExp(`${p}driver\\.log$`),
      new RegExp(`${p}dbUtil\\.sh$`),
      new RegExp(`${p}context_wrap\\.out$`),
      new RegExp(`${p}[0-9]+_context_launch\\.log$`),
      new RegExp(`${p}SSH0\\.context\\.log$`),
      new RegExp(`${p}SSH0_${h}_engine_wrap\\.log$`),
      new RegExp(`${p}SSH0_${h}_engine_0\\.log$`),
    ]);
    assert.ok(!names.some((n) => n.includes("kvsinfo")));
    const prefix = `${dir}/${names.find((n) => n.endsWith("_status.txt"))!.slice(0, -11)}`;
    // The stamp is the local time of the run (yyMMddHHmmss).
    const stamp = /_disBatch_(\d{12})_/.exec(prefix)![1];
    const [yy, mo, dd, hh, mi, ss] = stamp.match(/../g)!.map(Number);
    const t = new Date(2000 + yy, mo - 1, dd, hh, mi, ss).getTime();
    assert.ok(Math.abs(Date.now() - t) < 120_000, `stamp ${stamp} is now`);
    const script = `${prefix}_dbUtil.sh`;
    assert.equal((await Deno.stat(script)).mode! & 0o777, 0o700);
    assert.ok((await Deno.readTextFile(script)).startsWith("#!/bin/bash\n"));
    const lines = await statusLines(prefix);
    assert.deepEqual(sortedProjection(lines), T01_PROJECTION);
    for (const l of lines) assert.equal(splitStatus(l)[4], HOST, "node is the local host name");
  });
});

Deno.test("T02 -e: exit 1 and exactly the failure message", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, T01_TASKS);
    const r = await disbatch(["-s", "localhost:2", "-e", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "Some tasks failed with non-zero exit codes -- please check the logs\n");
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), T01_PROJECTION);
  });
});

Deno.test("T03 empty task file: message, empty status file, only three files", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "");
    const r = await disbatch(["-s", "localhost:2", "Tasks"], { cwd: dir });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "No tasks to run.\n" });
    const p = "^Tasks_disBatch_[0-9]{12}_[0-9]{3}_";
    const names = await listDir(dir);
    assertFiles(names, [
      new RegExp(`${p}status\\.txt$`),
      new RegExp(`${p}driver\\.log$`),
      new RegExp(`${p}dbUtil\\.sh$`),
    ]);
    const status = names.find((n) => n.endsWith("_status.txt"))!;
    assert.equal(await Deno.readTextFile(`${dir}/${status}`), "");
  });
});

Deno.test("T04 only a comment and PREFIX, with --status-header: the header alone", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "# only comment\n#DISBATCH PREFIX x\n");
    const r = await disbatch(["-s", "localhost:2", "--status-header", "-p", "run", "Tasks"], {
      cwd: dir,
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "No tasks to run.\n" });
    assert.equal(await Deno.readTextFile(`${dir}/run_status.txt`), STATUS_HEADER + "\n");
    assert.deepEqual(await listDir(dir), [
      "Tasks",
      "run_dbUtil.sh",
      "run_driver.log",
      "run_status.txt",
    ]);
  });
});

Deno.test("nothing to run but barriers or REPEAT 0: exit 0 at once, no context, no race", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/B`, "#DISBATCH BARRIER\n#DISBATCH BARRIER CHECK k\n");
    await writeTasks(`${dir}/R`, "#DISBATCH PERENGINE START echo pe\n#DISBATCH REPEAT 0 echo x\n");
    const t0 = Date.now();
    const [b, r] = await Promise.all([
      disbatch(["-s", "localhost:2", "-p", "b", "-e", "B"], { cwd: dir }),
      disbatch(["-s", "localhost:2", "-p", "r", "-e", "R"], { cwd: dir }),
    ]);
    assert.ok(Date.now() - t0 < 20_000, "no waiting for a context (a 30 s tick)");
    assert.deepEqual(b, { code: 0, stdout: "", stderr: "No tasks to run.\n" });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "No tasks to run.\n" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/b`)), [
      "B    |0|1|-1|0|0|''|0|''|#DISBATCH BARRIER",
      "C    |1|2|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK k",
    ]);
    assert.deepEqual(await statusLines(`${dir}/r`), []);
    assert.ok(!(await listDir(dir)).some((n) => n.includes("context")), "no context launched");
  });
});

Deno.test("T06 task environment: exactly the DISBATCH_ variables of §6.2", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      "env | grep ^DISBATCH_ | grep -v KVSSTCP | sort > env.txt; env | grep -c '^DISBATCH_KVSSTCP_HOST=.*:[0-9]'\n",
    );
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/env.txt`),
      [
        "DISBATCH_CORES_PER_TASK=1",
        "DISBATCH_CYLINDER_RANK=0",
        "DISBATCH_ENGINE_RANK=0",
        "DISBATCH_JOBID=run",
        "DISBATCH_NAMETASKS=Tasks",
        "DISBATCH_REPEAT_INDEX=-1",
        "DISBATCH_REPEAT_INDEX_ZP=-00001",
        "DISBATCH_STREAM_INDEX=1",
        "DISBATCH_STREAM_INDEX_ZP=000001",
        "DISBATCH_TASKID=0",
        "DISBATCH_TASKID_ZP=000000",
      ].join("\n") + "\n",
    );
    const [line] = await statusLines(`${dir}/run`);
    assert.equal(splitStatus(line)[11], "'1\\n'", "DISBATCH_KVSSTCP_HOST is host:port");
  });
});

Deno.test("T07 zero-padded and repeat variables", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      "# c\n#DISBATCH REPEAT 2 start 7 step 3 echo $DISBATCH_REPEAT_INDEX_ZP $DISBATCH_TASKID_ZP $DISBATCH_STREAM_INDEX_ZP\n",
    );
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const cmd = "echo $DISBATCH_REPEAT_INDEX_ZP $DISBATCH_TASKID_ZP $DISBATCH_STREAM_INDEX_ZP";
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      ` O  |0|2|7|0|21|'000007 000000 000002\\n'|0|''|${cmd}`,
      ` O  |1|2|10|0|21|'000010 000001 000002\\n'|0|''|${cmd}`,
    ]);
  });
});

Deno.test("T08 cwd is the driver's (not -p's), stdin is /dev/null, the task leads its session", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.realPath(dir);
    await Deno.mkdir(`${dir}/out`);
    await writeTasks(
      `${dir}/Tasks`,
      "pwd > cwd.txt; readlink /proc/$$/fd/0 > stdin.txt; echo $$ $(cut -d' ' -f5,6 /proc/$$/stat) > ids.txt\n",
    );
    const r = await disbatch(["-s", "localhost:1", "-p", "out/run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/cwd.txt`), `${real}\n`);
    assert.equal(await Deno.readTextFile(`${dir}/stdin.txt`), "/dev/null\n");
    const [pid, pgrp, sid] = (await Deno.readTextFile(`${dir}/ids.txt`)).trim().split(" ");
    assert.equal(pgrp, pid, "process-group leader");
    assert.equal(sid, pid, "session leader");
    const [line] = await statusLines(`${dir}/out/run`);
    assert.equal(splitStatus(line)[5], pid, "the PID field is the task's bash");
  });
});

Deno.test("T09 stdin as the task file: stdin_disBatch_ names, NAMETASKS=stdin", async () => {
  await withTempDir(async (dir) => {
    const r = await disbatch(["-s", "localhost:1", "-"], {
      cwd: dir,
      stdin: "echo $DISBATCH_NAMETASKS\n",
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const names = await listDir(dir);
    assert.ok(names.every((n) => /^stdin_disBatch_[0-9]{12}_[0-9]{3}_/.test(n)), `${names}`);
    const status = names.find((n) => n.endsWith("_status.txt"))!;
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/${status.slice(0, -11)}`)), [
      " O  |0|1|-1|0|6|'stdin\\n'|0|''|echo $DISBATCH_NAMETASKS",
    ]);
  });
});

Deno.test("T09 stdin is streamed: each line runs before the next one is written", async () => {
  await withTempDir(async (dir) => {
    const run = startDisbatch(["-s", "localhost:2", "-p", "run", "-"], {
      cwd: dir,
      stdin: "piped",
    });
    try {
      for (let i = 0; i < 3; i++) {
        await run.write(`touch out${i}\n`);
        await waitFor(`task ${i} to run`, () => exists(`${dir}/out${i}`));
      }
      await run.closeStdin();
      const r = await run.result;
      assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
      assert.equal((await statusLines(`${dir}/run`)).length, 3);
    } finally {
      await run.result.catch(() => {});
    }
  });
});

Deno.test("T15 lower-case PERENGINE keyword works", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "#DISBATCH PERENGINE start echo lower\necho t1\n");
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      " O  |0|2|-1|0|3|'t1\\n'|0|''|echo t1",
      " O P|0|1|-1|0|6|'lower\\n'|0|''|echo lower",
    ]);
  });
});

Deno.test("T16 a failing per-engine task counts as a failure (-e, --fail-fast)", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "#DISBATCH PERENGINE START exit 3\necho t1\n");
    const want = [" O  |0|2|-1|0|3|'t1\\n'|0|''|echo t1", "R  P|0|1|-1|3|0|''|0|''|exit 3"];
    const plain = await disbatch(["-s", "localhost:2", "-p", "a", "Tasks"], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/a`)), want);
    const e = await disbatch(["-s", "localhost:2", "-p", "b", "-e", "Tasks"], { cwd: dir });
    assert.equal(e.code, 1);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/b`)), want);
    const ff = await disbatch(["-s", "localhost:2", "-p", "c", "-f", "Tasks"], { cwd: dir });
    assert.equal(ff.code, 1);
    assert.equal(
      ff.stderr,
      "Quitting early due to task failure with --fail-fast: PERENGINE START 0 (line 1) exited" +
        " with 3: exit 3\n",
    );
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/c`)), [want[1]]);
  });
});

Deno.test("T21 fail-fast: exit 1, one line naming the task, running tasks killed and recorded", async () => {
  await withTempDir(async (dir) => {
    const m = uniqueMarker();
    await writeTasks(
      `${dir}/Tasks`,
      `sleep 100.${m}; true\nsleep 0.3; exit 1\nsleep 100.${m}; true\ntouch A.txt\n`,
    );
    const t0 = Date.now();
    const r = await disbatch(["-s", "localhost:3", "-p", "run", "--fail-fast", "Tasks"], {
      cwd: dir,
    });
    try {
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        "Quitting early due to task failure with --fail-fast: task 1 (line 2) exited with 1:" +
          " sleep 0.3; exit 1\n",
      );
      assert.ok(Date.now() - t0 < 30_000, "the 100 s tasks were killed");
      // Every task it killed has its line (SIGTERM, or SIGKILL if that was not enough).
      const lines = sortedProjection(await statusLines(`${dir}/run`));
      assert.equal(lines.length, 3, lines.join("\n"));
      assert.equal(lines[1], "R   |1|2|-1|1|0|''|0|''|sleep 0.3; exit 1");
      for (const id of [0, 2]) {
        assert.match(
          lines[id],
          new RegExp(`^R   \\|${id}\\|${id + 1}\\|-1\\|-(15|9)\\|0\\|''\\|0\\|''\\|sleep 100`),
        );
      }
      assert.ok(!(await exists(`${dir}/A.txt`)));
      assert.deepEqual(await livePids(`100.${m}`), [], "neither bash nor its sleep survives");
    } finally {
      killAll(await livePids(`100.${m}`));
    }
  });
});

Deno.test("T22 fail-fast with nothing else running still exits 1", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "exit 2\ntouch B.txt\n");
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "-f", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "Quitting early due to task failure with --fail-fast: task 0 (line 1) exited with 2: exit 2\n",
    );
    assert.ok(!(await exists(`${dir}/B.txt`)));
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      "R   |0|1|-1|2|0|''|0|''|exit 2",
    ]);
  });
});

Deno.test("T23 T26 T27 signal return codes, non-UTF-8 and UTF-8 commands", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      latin1("kill -9 $$\nkill -TERM $$\necho \xff\xfe nonutf8cmd\necho caf\xc3\xa9 cmd\n"),
    );
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      "R   |0|1|-1|-9|0|''|0|''|kill -9 $$",
      "R   |1|2|-1|-15|0|''|0|''|kill -TERM $$",
      " O  |2|3|-1|0|14|'\ufffd\ufffd nonutf8cmd\\n'|0|''|b'echo \\xff\\xfe nonutf8cmd'",
      " O  |3|4|-1|0|10|'café cmd\\n'|0|''|echo café cmd",
    ]);
  });
});

Deno.test("T24 a command too long for execve: R E, rc 7, PID -1, the exception text", async () => {
  await withTempDir(async (dir) => {
    const cmd = "echo " + "x".repeat(320_000 - 5);
    await writeTasks(`${dir}/Tasks`, cmd + "\necho after\n");
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
    const f = lines.find((l) => l[1] === "0")!;
    assert.deepEqual([f[0], f[5], f[6], f[10], f[11]], ["R E ", "-1", "7", "0", "''"]);
    assert.ok(Number(f[12]) > 0);
    assert.match(f[13], /^["']Exception during task execution: /);
    assert.match(f[13], /Argument list too long/);
    assert.equal(f[14].length, 320_000);
    assert.equal(lines.find((l) => l[1] === "1")![11], "'after\\n'", "the engine goes on");
  });
});

Deno.test("a NUL byte in a command: R E, rc 200 (no errno), PID -1; the engine goes on", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, latin1("echo a\x00b\necho after\n"));
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
    const f = lines.find((l) => l[1] === "0")!;
    assert.deepEqual([f[0], f[5], f[6], f[10]], ["R E ", "-1", "200", "0"]);
    assert.match(f[13], /^["']Exception during task execution: /);
    assert.equal(f[14], "echo a\x00b");
    assert.equal(lines.find((l) => l[1] === "1")![11], "'after\\n'");
  });
});

Deno.test("T25 a background child holding the pipe delays its slot, not the result", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "sleep 1 & echo started\necho next\n");
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
    assert.deepEqual(lines.map((f) => [f[0], f[1], f[10], f[11]]), [
      [" O  ", "0", "8", "'started\\n'"],
      [" O  ", "1", "5", "'next\\n'"],
    ]);
    const finish0 = Number(lines[0][9]);
    assert.ok(finish0 - Number(lines[0][8]) < 0.5, "Finish is taken when the task exits");
    assert.ok(Number(lines[1][8]) - finish0 > 0.7, "the slot waited for the pipe");
  });
});

Deno.test("1,000 tasks on 4 cylinders: 1,000 distinct ids, every output right", async () => {
  await withTempDir(async (dir) => {
    const n = 1000;
    await writeTasks(
      `${dir}/Tasks`,
      Array.from({ length: n }, (_, i) => `echo ${i} $DISBATCH_TASKID`).join("\n") + "\n",
    );
    const r = await disbatch(["-s", "localhost:4", "-p", "run", "Tasks"], { cwd: dir });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
    assert.equal(lines.length, n);
    assert.equal(new Set(lines.map((f) => f[1])).size, n);
    for (const f of lines) {
      assert.equal(f[2], String(Number(f[1]) + 1));
      assert.equal(f[11], `'${f[1]} ${f[1]}\\n'`);
    }
  });
});

Deno.test("a cylinder's next task starts after its last one finished, as the status file shows", async () => {
  await withTempDir(async (dir) => {
    // Quick tasks keep both cylinders busy; a slow one now and then lets the two drift apart.
    const tasks = Array.from({ length: 400 }, (_, i) => i % 50 === 0 ? "sleep 0.05" : "true");
    await writeTasks(`${dir}/Tasks`, tasks.join("\n") + "\n");
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.equal(runs.length, 400);
    assert.equal(maxConcurrent(runs), 2);
  });
});
