/**
 * Engine loss (issue "Never lose a task"): SIGKILL of one of two engines mid-run re-issues its
 * tasks to the other; an engine that stops answering (SIGSTOP, as a cut network looks) is
 * declared lost after the heartbeat timeout and its tasks are re-issued too.
 */
import assert from "node:assert/strict";
import {
  killAll,
  startDisbatch,
  startProgram,
  waitFor,
  waitForValue,
  waitGone,
} from "./background_run.ts";
import { livePids, splitStatus, statusLines, withTempDir, writeTasks } from "./helpers.ts";

/** PID of the engine started by the context with `label`, once it exists. */
function enginePid(dir: string, label: string): Promise<number> {
  return waitForValue(`engine ${label}`, async () => {
    const pids = await livePids(`--label ${label} `);
    for (const pid of pids) {
      const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
      if (cmd.includes("main.ts") && cmd.includes(dir)) return pid;
    }
    return undefined;
  });
}

async function twoEngineRun(
  dir: string,
  tasks: number,
  env: Record<string, string>,
  hurt: (pid: number) => void,
): Promise<{ code: number; stderr: string; lines: string[] }> {
  const marker = `loss-${crypto.randomUUID().slice(0, 8)}`;
  await writeTasks(
    `${dir}/Tasks`,
    Array.from({ length: tasks }, (_, i) => `sleep 0.4; echo ${i} # ${marker}`).join("\n") + "\n",
  );
  // The first engine is hurt: a process of its own only with DISBATCH_ENGINE_PROCESS=1.
  const driver = startDisbatch(["-s", "localhost:2", "-p", `${dir}/run`, "Tasks"], {
    cwd: dir,
    env: { ...env, DISBATCH_ENGINE_PROCESS: "1" },
  });
  const first = await enginePid(dir, "SSH0");
  await waitFor(
    "helper script",
    async () => (await Deno.readTextFile(`${dir}/run_dbUtil.sh`).catch(() => "")).length > 0,
    15_000,
  );
  const extra = startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:2", "-l", "extra"], {
    cwd: dir,
    env,
  });
  await enginePid(dir, "extra");
  await new Promise((r) => setTimeout(r, 700));
  hurt(first);
  const out = await driver.result;
  await extra.result;
  killAll([first]);
  await waitGone(marker, 4_000);
  assert.deepEqual(await livePids(marker), [], "no task survives its engine");
  return { code: out.code, stderr: out.stderr, lines: await statusLines(`${dir}/run`) };
}

function assertAllDone(lines: string[], tasks: number): number {
  const fields = lines.map(splitStatus);
  const final = fields.filter((f) => f[0][3] === " ");
  assert.deepEqual(final.map((f) => Number(f[1])).sort((a, b) => a - b), [...Array(tasks).keys()]);
  assert.ok(final.every((f) => f[6] === "0"), "every final attempt succeeded");
  const lost = fields.filter((f) => f[0][3] === "Z");
  for (const f of lost) assert.deepEqual([f[0], f[5], f[6]], ["R  Z", "-1", "-100"]);
  return lost.length;
}

Deno.test("SIGKILL of one of two engines: its running tasks are re-issued and every task completes", async () => {
  await withTempDir(async (dir) => {
    const r = await twoEngineRun(dir, 16, {}, (pid) => Deno.kill(pid, "SIGKILL"));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(assertAllDone(r.lines, 16) >= 1, "the killed engine was running tasks");
  });
});

Deno.test("an engine that stops answering is declared lost after the heartbeat timeout", async () => {
  await withTempDir(async (dir) => {
    const t0 = Date.now();
    const r = await twoEngineRun(
      dir,
      16,
      { DISBATCH_HEARTBEAT: "0.3,1.5" },
      (pid) => Deno.kill(pid, "SIGSTOP"),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(assertAllDone(r.lines, 16) >= 1);
    assert.ok(Date.now() - t0 < 30_000);
    const log = await Deno.readTextFile(`${dir}/run_driver.log`);
    assert.match(log, /silent for \d+\.\d s; declared lost/);
  });
});
