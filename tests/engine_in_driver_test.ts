/**
 * The engine of a plain local run runs inside the driver (README "Differences"): tasks are the
 * driver's children, the engine's files are still made, nothing is left running after the run,
 * and a driver killed outright (SIGKILL) does not leave its tasks behind either.
 * `DISBATCH_ENGINE_PROCESS=1` keeps the engine a process of its own.
 */
import assert from "node:assert/strict";
import { disbatch, listDir, livePids, statusLines, withTempDir, writeTasks } from "./helpers.ts";
import {
  killAll,
  resultWithin,
  startDisbatch,
  uniqueMarker,
  waitFor,
  waitGone,
} from "./background_run.ts";

const HOST = Deno.hostname().split(".")[0];
/** Writes the command line of the task's parent process to `parent.<task id>`. */
const RECORD_PARENT = "tr '\\0' ' ' < /proc/$PPID/cmdline > parent.$DISBATCH_TASKID";

Deno.test("a plain local run: tasks are children of the driver; the engine's files are made", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, `${RECORD_PARENT}\n`.repeat(3));
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await statusLines(`${dir}/run`)).length, 3);
    for (let id = 0; id < 3; id++) {
      const parent = await Deno.readTextFile(`${dir}/parent.${id}`);
      assert.match(parent, / -s localhost:2 -p run Tasks $/, "the driver");
    }
    const files = await listDir(dir);
    assert.ok(files.includes(`run_SSH0_${HOST}_engine_0.log`), files.join(" "));
    assert.equal(await Deno.readTextFile(`${dir}/run_SSH0_${HOST}_engine_wrap.log`), "");
    const engineLog = await Deno.readTextFile(`${dir}/run_SSH0_${HOST}_engine_0.log`);
    assert.match(engineLog, /registered as engine 0 with 2 cylinders/);
    // The watchdog waiting for the driver's death went with the run.
    assert.deepEqual(await livePids(`${dir}/run_dbUtil.sh`), []);
  });
});

Deno.test("DISBATCH_ENGINE_PROCESS=1: the engine is a process of its own", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, `${RECORD_PARENT}\n`);
    const env = { DISBATCH_ENGINE_PROCESS: "1" };
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(`${dir}/parent.0`), / --engine --db-util /);
  });
});

Deno.test("the driver SIGKILLed: the tasks of the engine inside it are ended all the same", async () => {
  await withTempDir(async (dir) => {
    const d = `60.${uniqueMarker()}`;
    await writeTasks(`${dir}/Tasks`, `sleep ${d}; true\n`.repeat(2));
    const run = startDisbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    try {
      // Each task is a bash and its sleep.
      await waitFor("both tasks", async () => (await livePids(`sleep ${d}`)).length === 4);
      run.kill("SIGKILL");
      await resultWithin(run, 5_000);
      await waitGone(d, 10_000);
      assert.deepEqual(await livePids(d), [], "no task outlives its driver");
      // The cleanup says what it ended once the processes are gone: a moment later.
      const wrap = `${dir}/run_SSH0_${HOST}_engine_wrap.log`;
      const said = /^disbatch --cleanup: ended 4 processes$/m;
      await waitFor("the cleanup's line", async () => {
        return said.test(await Deno.readTextFile(wrap).catch(() => ""));
      }, 10_000);
    } finally {
      killAll(await livePids(d));
    }
  });
});
