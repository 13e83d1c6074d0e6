/**
 * Tasks that misbehave (issue #15 item 6): a task that leaves a daemon behind in a session of
 * its own, and a task that ignores SIGTERM when the run stops it. Real runs, real processes.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  livePids,
  splitStatus,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import {
  exists,
  killAll,
  resultWithin,
  startDisbatch,
  uniqueMarker,
  waitFor,
} from "./background_run.ts";

const QUIET = "</dev/null >/dev/null 2>&1";

/** Waits until `n` live processes carry `marker` in their command line. */
async function running(marker: string, n: number): Promise<void> {
  await waitFor(`${n} processes with ${marker}`, async () => {
    return (await livePids(marker)).length >= n;
  }, 15_000);
}

/** Fails unless no process carrying `marker` is left (SIGKILLed ones may need a moment to go). */
async function noneLeft(marker: string): Promise<void> {
  await waitFor(`no process with ${marker} left`, async () => {
    return (await livePids(marker)).length === 0;
  }, 5_000);
}

Deno.test("daemons a task leaves in sessions of their own end with the run; opting out works", async () => {
  await withTempDir(async (dir) => {
    const m = uniqueMarker();
    const kept = `1000.${uniqueMarker()}`;
    const tasks = [
      // setsid in the background, nohup + setsid, a double fork, setsid -f, a plain
      // background child, and a daemon that ignores SIGTERM (it needs the SIGKILL).
      `setsid sleep 1000.${m}1 ${QUIET} &`,
      `nohup setsid sleep 1000.${m}2 ${QUIET} &`,
      `( setsid bash -c 'sleep 1000.${m}3; true' ${QUIET} & ) ; true`,
      `setsid -f sleep 1000.${m}4 ${QUIET}`,
      `sleep 1000.${m}5 ${QUIET} &`,
      `setsid bash -c 'trap "" TERM; sleep 1000.${m}6; true' ${QUIET} &`,
      // The documented way to keep a daemon beyond the run.
      `env -u _DISBATCH_ENGINE setsid -f sleep ${kept} ${QUIET}`,
    ];
    await writeTasks(`${dir}/Tasks`, tasks.join("\n") + "\n");
    try {
      const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
      assert.equal(lines.length, tasks.length);
      for (const f of lines) assert.equal(f[6], "0", `task ${f[1]} exited 0`);
      await noneLeft(m);
      assert.equal((await livePids(kept)).length, 1, "the untagged daemon outlives the run");
    } finally {
      killAll([...await livePids(m), ...await livePids(kept)]);
    }
  });
});

Deno.test("daemons of a run stopped by SIGTERM end with it", async () => {
  await withTempDir(async (dir) => {
    const m = uniqueMarker();
    await writeTasks(
      `${dir}/Tasks`,
      `setsid -f bash -c 'trap "" TERM; sleep 1000.${m}1' ${QUIET}; sleep 1000.${m}2\n` +
        `( setsid sleep 1000.${m}3 ${QUIET} & ); sleep 1000.${m}4\n`,
    );
    const run = startDisbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    try {
      // Four sleeps (bash execs a last command, so it is not counted on).
      await running(m, 4);
      run.kill("SIGTERM");
      const r = await resultWithin(run, 20_000);
      assert.equal(r.code, 143, r.stderr);
      const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
      assert.deepEqual(lines.map((f) => f[1]).sort(), ["0", "1"]);
      await noneLeft(m);
    } finally {
      await resultWithin(run, 5_000).catch(() => {});
      killAll(await livePids(m));
    }
  });
});

/** A task that ignores SIGTERM (its bash and its sleep); it touches `go` once it does. */
function stubborn(d: string): string {
  return `trap '' TERM; touch go; sleep ${d}; true`;
}

/** Runs `tasks` with `args`, `stop`s the run once the stubborn task is in place; the lines. */
async function stopStubborn(
  args: string[],
  tasks: (d: string) => string[],
  stop: (run: ReturnType<typeof startDisbatch>) => void,
): Promise<{ code: number; stderr: string; lines: string[][] }> {
  return await withTempDir(async (dir) => {
    const d = `1000.${uniqueMarker()}`;
    await writeTasks(`${dir}/Tasks`, tasks(d).join("\n") + "\n");
    const run = startDisbatch([...args, "-p", "run", "Tasks"], { cwd: dir });
    try {
      // Its bash carries the marker from the start: `go` says the trap is in place.
      await running(d, 1);
      await waitFor("the stubborn task's trap", () => exists(`${dir}/go`), 15_000);
      stop(run);
      // Without the SIGKILL the task would hold the run for 1000 s.
      const r = await resultWithin(run, 60_000);
      await noneLeft(d);
      const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
      return { code: r.code, stderr: r.stderr, lines };
    } finally {
      await resultWithin(run, 5_000).catch(() => {});
      killAll(await livePids(d));
    }
  });
}

Deno.test("a task that ignores SIGTERM, run stopped by SIGTERM: SIGKILL after the grace, rc -9, exit 143", async () => {
  const r = await stopStubborn(["-s", "localhost:2"], (d) => [stubborn(d), "echo t1"], (run) => {
    run.kill("SIGTERM");
  });
  assert.equal(r.code, 143, r.stderr);
  const stubbornLine = r.lines.find((f) => f[1] === "0");
  assert.ok(stubbornLine, "the task has its line");
  assert.equal(stubbornLine[6], "-9");
});

Deno.test("a task that ignores SIGTERM, run stopped by --fail-fast: rc -9, exit 1", async () => {
  const r = await stopStubborn(
    ["-s", "localhost:2", "--fail-fast"],
    (d) => [stubborn(d), "until [ -e go ]; do sleep 0.05; done; exit 3"],
    () => {},
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Quitting early due to task failure with --fail-fast/);
  assert.deepEqual(r.lines.map((f) => [f[1], f[6]]).sort(), [["0", "-9"], ["1", "3"]]);
});

Deno.test("a task that ignores SIGTERM past its --timeout: SIGKILL after the grace, rc -124", async () => {
  const r = await stopStubborn(
    ["-s", "localhost:1", "--timeout", "1"],
    (d) => [stubborn(d), "echo after"],
    () => {},
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines.map((f) => [f[1], f[6]]).sort(), [["0", "-124"], ["1", "0"]]);
});

Deno.test("a context a task adds through the helper script outlives that task's engine", async () => {
  await withTempDir(async (dir) => {
    // Context 0 runs only task 0 (-C 1), which adds a context and waits until its engine has
    // registered; then context 0's engine ends, and ends what carries its tag.
    const add = "setsid -f ./run_dbUtil.sh -s localhost:1 -l extra </dev/null >/dev/null 2>&1";
    const registered =
      "until ls run_extra_*_engine_[0-9]*.log; do sleep 0.05; done >/dev/null 2>&1";
    await writeTasks(
      `${dir}/Tasks`,
      `${add}; ${registered}\nsleep 3; echo one\nsleep 3; echo two\n`,
    );
    const r = await disbatch(["-C", "1", "-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
    assert.deepEqual(lines.map((f) => [f[1], f[6]]).sort(), [["0", "0"], ["1", "0"], ["2", "0"]]);
  });
});
