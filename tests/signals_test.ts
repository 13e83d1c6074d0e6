/**
 * Signals and lost engines (spec §9.8, §9.11, §11; T52–T54): the driver's SIGTERM/SIGINT (and
 * SIGHUP/SIGQUIT, a closed terminal) kill every task process group, record their lines and exit
 * 128 + N; an engine killed mid-task loses its tasks, which are re-issued (or, with
 * `--no-reissue`, recorded as rc −100), and the run never hangs.
 */
import assert from "node:assert/strict";
import {
  LAUNCHER,
  livePids,
  sortedProjection,
  splitStatus,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import { ignoreWithout, requireTools } from "./live_tools.ts";
import { shellWord, TmuxSession } from "./tmux_session.ts";
import {
  type BackgroundRun,
  killAll,
  resultWithin,
  startDisbatch,
  uniqueMarker,
  waitFor,
  waitGone,
} from "./background_run.ts";

const HOST = Deno.hostname();

/** Waits until `n` processes run `sleep <duration>` (each task is a bash and its sleep). */
async function sleepsRunning(duration: string, n: number): Promise<void> {
  await waitFor(`${n} sleep ${duration} processes`, async () => {
    return (await livePids(`sleep ${duration}`)).length === 2 * n;
  });
}

/** PID of the engine of node `node` of the run whose helper is `dbUtil`. */
async function enginePid(dbUtil: string, node: string): Promise<number> {
  const pids = await livePids(`--db-util ${dbUtil} `);
  for (const pid of pids) {
    const argv = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
    if (argv.includes("--engine") && argv[argv.indexOf("--node") + 1] === node) return pid;
  }
  throw new Error(`no engine for ${node} among ${pids}`);
}

/** Asserts the two `sleep d` tasks of `dir/run` were recorded as killed and are gone. */
async function killedAndRecorded(dir: string, d: string): Promise<void> {
  const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
  assert.deepEqual(lines.map((f) => f[1]).sort(), ["0", "1"], "both task lines, not t2");
  for (const f of lines) {
    assert.equal(f[0], "R   ");
    assert.ok(Number(f[6]) < 0, `killed by a signal: rc ${f[6]}`);
  }
  await waitFor("task processes to go", async () => (await livePids(d)).length === 0, 3_000);
  await waitFor(
    "engine and context to go",
    async () => (await livePids(`${dir}/run_dbUtil.sh`)).length === 0,
    3_000,
  );
}

async function signalCase(sig: Deno.Signal, code: number): Promise<void> {
  await withTempDir(async (dir) => {
    const d = `100.${uniqueMarker()}`;
    await writeTasks(`${dir}/Tasks`, `sleep ${d}; true\nsleep ${d}; true\necho t2\n`);
    const run = startDisbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    try {
      await sleepsRunning(d, 2);
      run.kill(sig);
      const r = await resultWithin(run, 10_000);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stderr, "");
      await killedAndRecorded(dir, d);
    } finally {
      await resultWithin(run, 5_000).catch(() => {});
      killAll(await livePids(d));
    }
  });
}

Deno.test("T52 SIGTERM to the driver: exit 143, tasks recorded, no task process survives", async () => {
  await signalCase("SIGTERM", 143);
});

Deno.test("T53 SIGINT to the driver: exit 130, tasks recorded, no task process survives", async () => {
  await signalCase("SIGINT", 130);
});

Deno.test("SIGHUP to the driver: exit 129, tasks recorded, no task process survives", async () => {
  await signalCase("SIGHUP", 129);
});

Deno.test("SIGQUIT to the driver: exit 131, tasks recorded, no task process survives", async () => {
  await signalCase("SIGQUIT", 131);
});

Deno.test({
  name: "the driver's terminal closes: tasks recorded, exit 129, nothing left running",
  ignore: ignoreWithout("tmux"),
  fn: async () => {
    requireTools("tmux");
    await withTempDir(async (dir) => {
      const d = `100.${uniqueMarker()}`;
      await writeTasks(`${dir}/Tasks`, `sleep ${d}; true\nsleep ${d}; true\necho t2\n`);
      // The driver leads the terminal's session: the hangup is its SIGHUP, and its progress
      // line on that terminal fails with EIO from then on.
      const tmux = await TmuxSession.start(
        `cd ${shellWord(dir)} && exec ${LAUNCHER} -s localhost:2 -p run Tasks`,
      );
      try {
        await sleepsRunning(d, 2);
        await tmux.waitFor(/^disbatch: 0%, 0 done, 2 running/m);
      } finally {
        await tmux.kill();
      }
      try {
        // The exit code the driver tells `--wait` is its last act.
        await waitFor(
          "the driver to end",
          async () => (await Deno.readTextFile(`${dir}/run_dbUtil.sh`)).includes("exit-code"),
        );
        assert.match(
          await Deno.readTextFile(`${dir}/run_dbUtil.sh`),
          /^# disbatch-exit-code: 129$/m,
        );
        await killedAndRecorded(dir, d);
      } finally {
        killAll(await livePids(d));
      }
    });
  },
});

/** A run fed by a pipe whose writer stays silent after `input`, so a read of stdin is pending. */
async function idlePipe(
  args: string[],
  input: string,
  d: string,
  act: (run: BackgroundRun) => void | Promise<void>,
): Promise<Awaited<BackgroundRun["result"]>> {
  return await withTempDir(async (dir) => {
    const run = startDisbatch([...args, "-p", "run", "-"], { cwd: dir, stdin: "piped" });
    try {
      await run.write(input);
      await sleepsRunning(d, 1);
      await act(run);
      return await resultWithin(run, 5_000);
    } finally {
      await run.closeStdin().catch(() => {});
      await resultWithin(run, 5_000).catch(() => {});
      killAll(await livePids(d));
    }
  });
}

Deno.test("SIGTERM while the driver waits for more stdin: exit 143 at once", async () => {
  const d = `100.${uniqueMarker()}`;
  const r = await idlePipe(["-s", "localhost:2"], `sleep ${d}; true\n`, d, (run) => {
    run.kill("SIGTERM");
  });
  assert.equal(r.code, 143, r.stderr);
  assert.deepEqual(await livePids(d), []);
});

Deno.test("fail-fast while the driver waits for more stdin: exit 1 at once", async () => {
  const d = `100.${uniqueMarker()}`;
  const r = await idlePipe(["-s", "localhost:3", "-f"], `sleep ${d}; true\n`, d, async (run) => {
    await run.write("exit 1\n");
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Quitting early due to task failure with --fail-fast/);
  assert.deepEqual(await livePids(d), []);
});

/** Starts `tasks`, kills the engine of `node` once `sleeps` sleep tasks run; returns the result. */
async function killEngine(
  dir: string,
  args: string[],
  tasks: string,
  d: string,
  sleeps: number,
  node = HOST,
  orphanWaitMs = 0,
): Promise<{ r: Awaited<BackgroundRun["result"]>; lines: string[]; orphans: number[] }> {
  await writeTasks(`${dir}/Tasks`, tasks);
  // The engine of a plain local run is a process only with DISBATCH_ENGINE_PROCESS=1.
  const env = { DISBATCH_ENGINE_PROCESS: "1" };
  const run = startDisbatch([...args, "-p", "run", "Tasks"], { cwd: dir, env });
  try {
    await sleepsRunning(d, sleeps);
    Deno.kill(await enginePid(`${dir}/run_dbUtil.sh`, node), "SIGKILL");
    const r = await resultWithin(run, 15_000);
    if (orphanWaitMs > 0) await waitGone(d, orphanWaitMs);
    return { r, lines: await statusLines(`${dir}/run`), orphans: await livePids(d) };
  } finally {
    await resultWithin(run, 5_000).catch(() => {});
    // Tasks of a SIGKILLed engine are orphans nobody can reach; they are this test's to end.
    killAll(await livePids(d));
  }
}

Deno.test("T54 a killed engine's task is re-issued to another engine and completes", async () => {
  await withTempDir(async (dir) => {
    const d = `1.${uniqueMarker()}`;
    // Two engines on this host: HOST and HOST.alias (same short name, so no ssh).
    const { r, lines } = await killEngine(
      dir,
      ["-s", "localhost:1", "-s", `${HOST}.alias:1`],
      `sleep ${d}; echo done\nsleep ${d}; echo done\n`,
      d,
      2,
    );
    // stderr may say that an engine failed; the run itself recovered.
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /did not run/);
    const f = lines.map(splitStatus);
    const lost = f.filter((x) => x[0] === "R  Z");
    assert.equal(lost.length, 1, "one lost attempt, visible");
    assert.deepEqual([lost[0][4], lost[0][5], lost[0][6]], [HOST, "-1", "-100"]);
    const final = f.filter((x) => x[0] === " O  ");
    assert.deepEqual(final.map((x) => x[1]).sort(), ["0", "1"], "every task completed");
    assert.ok(final.every((x) => x[4] === `${HOST}.alias` && x[11] === "'done\\n'"));
    assert.ok(final.some((x) => x[1] === lost[0][1]), "the lost task ran again");
  });
});

Deno.test("T54 the only engine killed: lost attempts recorded, exit 1 counting unrun tasks", async () => {
  await withTempDir(async (dir) => {
    const d = `1.${uniqueMarker()}`;
    const t0 = Date.now();
    const { r, lines } = await killEngine(
      dir,
      ["-s", "localhost:2"],
      `sleep ${d}; true\nsleep ${d}; true\necho t2\necho t3\n`,
      d,
      2,
    );
    assert.ok(Date.now() - t0 < 20_000, "promptly, no 30 s heartbeat timeout");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\b4 task\(s\) did not run/);
    assert.deepEqual(sortedProjection(lines), [
      `R  Z|0|1|-1|-100|0|''|0|''|sleep ${d}; true`,
      `R  Z|1|2|-1|-100|0|''|0|''|sleep ${d}; true`,
    ]);
  });
});

Deno.test("T54 --no-reissue: lost tasks get rc -100, PID -1; unrun ones are reported", async () => {
  await withTempDir(async (dir) => {
    const d = `1.${uniqueMarker()}`;
    const { r, lines } = await killEngine(
      dir,
      ["-s", "localhost:2", "--no-reissue"],
      `sleep ${d}; true\nsleep ${d}; true\necho t2\necho t3\n`,
      d,
      2,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\b2 task\(s\) did not run/);
    assert.deepEqual(sortedProjection(lines), [
      `R   |0|1|-1|-100|0|''|0|''|sleep ${d}; true`,
      `R   |1|2|-1|-100|0|''|0|''|sleep ${d}; true`,
    ]);
    assert.ok(lines.every((l) => splitStatus(l)[5] === "-1"));
  });
});

/** `--no-reissue`, the engine killed while running the file's last two tasks. */
async function lastTasksLost(cylinders: number): Promise<void> {
  await withTempDir(async (dir) => {
    for (const [flags, code] of [[[], 0], [["-e"], 1]] as const) {
      const d = `1.${uniqueMarker()}`;
      const { r, lines } = await killEngine(
        dir,
        ["-s", `localhost:${cylinders}`, "--no-reissue", ...flags],
        `sleep ${d}; true\nsleep ${d}; true\n`,
        d,
        2,
      );
      assert.equal(r.code, code, `${flags}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /did not run/);
      assert.deepEqual(lines.map((l) => splitStatus(l).slice(0, 2).join("|")).sort(), [
        "R   |0",
        "R   |1",
      ]);
    }
  });
}

Deno.test("T54 --no-reissue, the last tasks lost: exit 0, or 1 with -e (end of input known)", async () => {
  // A third, idle cylinder makes the driver read on to the end of the file.
  await lastTasksLost(3);
});

Deno.test({
  name: "T54 --no-reissue, the last tasks lost: exit 0, or 1 with -e (end of input not yet read)",
  // With every cylinder busy the driver has not read the (empty) rest of the file when the
  // engine dies: it must find out before it decides the run is stuck.
  fn: async () => await lastTasksLost(2),
});

Deno.test({
  name: "T54 the tasks of a SIGKILLed engine do not outlive it",
  // A task runs in its own session, so nothing ends it when its engine is SIGKILLed: the
  // context finds the engine's tasks by their environment tag and ends them.
  fn: async () => {
    await withTempDir(async (dir) => {
      const d = `30.${uniqueMarker()}`;
      const { orphans } = await killEngine(
        dir,
        ["-s", "localhost:2", "--no-reissue"],
        `sleep ${d}; true\nsleep ${d}; true\n`,
        d,
        2,
        HOST,
        3_000,
      );
      assert.deepEqual(orphans, []);
    });
  },
});
