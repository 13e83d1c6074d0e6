/**
 * `disbatch --state P` (JSON snapshot of a running or finished run) and `disbatch --wait P`
 * (block until the run ends, exit with its exit code), by prefix and by helper script.
 * @module
 */
import assert from "node:assert/strict";
import { exitedWithin } from "../src/time/exited_within.ts";
import {
  disbatchPromptly,
  killAll,
  resultPromptly,
  resultWithin,
  startDisbatch,
  uniqueMarker,
  waitFor,
} from "./background_run.ts";
import { disbatch, livePids, tempDir, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";

async function statusCount(p: string): Promise<number> {
  try {
    return (await Deno.readTextFile(`${p}_status.txt`)).split("\n").length - 1;
  } catch {
    return 0;
  }
}

Deno.test("--state follows a live run, --wait returns its exit code, both work after the end", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, ["exit 5", WAIT_GO, WAIT_GO, "echo z"].join("\n") + "\n");
    const run = startDisbatch(["-e", "-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    await waitFor(
      "the first status line",
      async () => await statusCount(`${dir}/run`) >= 1,
      20_000,
    );
    await waitFor("both slots busy", async () => {
      const r = await disbatch(["--state", "run"], { cwd: dir });
      return r.code === 0 && JSON.parse(r.stdout).engines[0]?.tasks.length >= 2;
    });

    // Client commands exit as soon as they have answered (disbatchPromptly checks).
    const live = await disbatchPromptly(["--state", "run"], { cwd: dir });
    assert.equal(live.code, 0, live.stderr);
    assert.equal(live.stderr, "");
    const s = JSON.parse(live.stdout);
    const prefix = `${await Deno.realPath(dir)}/run`;
    assert.equal(s.prefix, prefix);
    assert.equal(s.jobId, "run");
    assert.equal(s.finished, false);
    assert.equal(s.exitCode, null);
    assert.equal(s.total, 4);
    assert.equal(s.done, 1);
    assert.equal(s.failed, 1);
    assert.deepEqual(s.failedIds, [0]);
    assert.deepEqual(
      s.recentFailures.map((f: { taskId: number; rc: number; command: string }) => [
        f.taskId,
        f.rc,
        f.command,
      ]),
      [[0, 5, "exit 5"]],
    );
    assert.equal(s.engines.length, 1);
    assert.equal(s.engines[0].status, "running");
    assert.equal(s.engines[0].cylinders, 2);
    // Of tasks 1-3, two run on the two cylinders; the third is queued on the engine (handed
    // out ahead of time while tasks are short) or waits in the driver: never "3 running".
    assert.equal(s.running, 2);
    assert.equal(s.engines[0].running, 2);
    assert.equal(s.engines[0].queued, s.queued);
    assert.equal(s.queued + s.waiting, 1);
    assert.deepEqual(s.engineTotals, {
      engines: 1,
      starting: 0,
      running: 1,
      draining: 0,
      stopped: 0,
      lost: 0,
      cylinders: 2,
    });
    assert.equal(s.contexts[0].label, "SSH0");
    assert.equal(s.contexts[0].engines, 1);
    assert.equal(s.contexts[0].connected, true);

    const byScript = await disbatch(["--state", `${dir}/run_dbUtil.sh`], { cwd: "/" });
    assert.equal(JSON.parse(byScript.stdout).prefix, prefix);

    const waiting = startDisbatch(["--wait", "run"], { cwd: dir });
    const early = await exitedWithin(waiting.result, 400) ? "ended" : "waiting";
    assert.equal(early, "waiting", "--wait returns only when the run ends");
    await Deno.writeTextFile(`${dir}/go`, "");
    const r = await resultWithin(run, 20_000);
    assert.equal(r.code, 1, "-e and a failed task");
    const w = await resultPromptly(waiting, Promise.resolve()); // the run has ended
    assert.equal(w.code, 1);
    assert.equal(w.stdout, "");

    const after = await disbatch(["--state", "run"], { cwd: dir });
    assert.equal(after.code, 0);
    // The same fields as live, with the final values.
    const end = JSON.parse(after.stdout);
    assert.deepEqual(Object.keys(end), Object.keys(s));
    assert.deepEqual(Object.keys(end.engines[0]), Object.keys(s.engines[0]));
    // Lists and times are compared below.
    const fixed = {
      engines: [],
      engineTotals: {},
      contexts: [],
      recentFailures: [],
      started: 0,
      now: 0,
      rate: 0,
    };
    assert.deepEqual({ ...end, ...fixed, eta: 0 }, {
      ...s,
      ...fixed,
      finished: true,
      exitCode: 1,
      eof: true,
      done: 4,
      running: 0,
      queued: 0,
      waiting: 0,
      eta: 0,
    });
    assert.equal(end.started, s.started);
    assert.ok(end.now >= s.now);
    assert.ok(end.eta === 0 || end.eta === null, "nothing is left");
    assert.equal(end.engines[0].finished, 4);
    assert.deepEqual([end.engineTotals.engines, end.engineTotals.stopped], [1, 1]);
    assert.equal(end.engines[0].tasks.length, 0);
    assert.deepEqual(end.recentFailures, s.recentFailures);
    const again = await disbatch(["--wait", `${dir}/run_dbUtil.sh`], { cwd: dir });
    assert.equal(again.code, 1);
  });
});

Deno.test("--wait on a run whose driver was killed says so and exits 1", async () => {
  const { dir, cleanup } = await tempDir();
  const marker = uniqueMarker();
  try {
    await writeTasks(`${dir}/Tasks`, `sleep 30; echo ${marker}\n`);
    const run = startDisbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    await waitFor("the task", async () => (await livePids(marker)).length > 0, 20_000);
    run.kill("SIGKILL");
    await run.result;
    for (const mode of ["--wait", "--state"]) {
      const r = await disbatchPromptly([mode, "run"], { cwd: dir });
      assert.equal(r.code, 1, mode);
      assert.match(
        r.stderr,
        /^disbatch: error: the run \S+\/run has no driver and did not record an exit code \(killed\?\)\n$/,
      );
    }
    // The engine notices its driver is gone and ends its task.
    await waitFor("the orphaned task to end", async () => (await livePids(marker)).length === 0);
  } finally {
    killAll(await livePids(marker));
    await cleanup();
  }
});

Deno.test("--state and --wait usage errors", async () => {
  await withTempDir(async (dir) => {
    const cases: [string[], string][] = [
      [["--state"], "no run given"],
      [["--wait", "a", "b"], "unrecognized arguments: b"],
    ];
    for (const [args, message] of cases) {
      const r = await disbatch(args, { cwd: dir });
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(
        r.stderr,
        `disbatch: error: ${message}\nusage: disbatch ${args[0]} PREFIX|P_dbUtil.sh\n` +
          "Try 'disbatch --help'.\n",
      );
    }
    const missing = await disbatch(["--state", "nothing"], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^disbatch: error: cannot read nothing_dbUtil\.sh: /);
  });
});
