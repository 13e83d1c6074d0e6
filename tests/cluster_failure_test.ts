/**
 * Real failures on the lab cluster (issue "Never lose a task"; scripts/LAB.md): node n2 of a
 * 3-node Slurm job dies (its slurmd, its job step and everything the job runs there are
 * SIGKILLed), and the network of n2 is cut under an ssh run. Either way every task completes,
 * the lost attempts are `R  Z` lines of n2, and the run exits 0. Both tests break shared lab
 * state for a few seconds (n2's slurmd, n2's link) and restore it before they end; other lab
 * tests that use n2 at that moment are disturbed.
 */
import assert from "node:assert/strict";
import { type BackgroundRun, killAll, startDisbatch, waitForValue } from "./background_run.ts";
import { findOne, LAUNCHER, splitStatus, statusLines, writeTasks } from "./helpers.ts";
import {
  labTest,
  runCommand,
  sbatch,
  slurm,
  SLURM_LAB,
  SSH_LAB,
  taskRuns,
  waitJob,
} from "./cluster_lab.ts";

/** Heartbeat of both runs: ping every 0.5 s, a peer silent for 3 s is lost. */
const HEARTBEAT = "0.5,3";
/** The lab's directory of cluster c3 (pid files, logs). */
const C3 = "/tmp/disbatch-lab/c3";

/** A process's `cmdline` or `environ` entries; empty once it is gone. */
async function proc(pid: number, file: "cmdline" | "environ"): Promise<string[]> {
  try {
    return (await Deno.readTextFile(`/proc/${pid}/${file}`)).split("\0");
  } catch {
    return [];
  }
}

/** Live processes in the network namespace of lab node `node` that `pick` selects. */
async function nodePids(
  node: string,
  pick: (cmd: string[], env: string[]) => boolean,
): Promise<number[]> {
  const list = await runCommand("ip", ["netns", "pids", `slurm-${node}`]);
  const pids = list.split("\n").filter((l) => l).map(Number);
  const out: number[] = [];
  for (const pid of pids) {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
    if (stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
    if (pick(await proc(pid, "cmdline"), await proc(pid, "environ"))) out.push(pid);
  }
  return out;
}

/**
 * Checks the status file of a run of `n` tasks in which engines on `lostNode` were lost at
 * `lostAt` (epoch seconds): one successful final line per task, none on `lostNode` after the
 * loss, at least one lost attempt and all of them `R  Z` lines of `lostNode`, PID −1, rc −100.
 * Returns the lost attempts' finish times (when the driver declared the loss).
 */
function assertNothingLost(lines: string[], n: number, lostNode: string, lostAt: number): number[] {
  const final = taskRuns(lines);
  assert.deepEqual(final.map((r) => r.id).sort((a, b) => a - b), [...Array(n).keys()]);
  assert.ok(final.every((r) => r.rc === 0), "every task's final attempt succeeded");
  const late = final.filter((r) => r.node === lostNode && r.finish > lostAt);
  assert.deepEqual(late, [], `nothing finished on ${lostNode} after it was lost`);
  const lost = lines.map(splitStatus).filter((f) => f[0][3] === "Z");
  assert.ok(lost.length >= 1, `${lostNode} was running tasks when it was lost`);
  for (const f of lost) {
    assert.deepEqual([f[0], f[4], f[5], f[6]], ["R  Z", lostNode, "-1", "-100"]);
  }
  // Each lost task ran again elsewhere.
  for (const f of lost) {
    assert.notEqual(final.find((r) => r.id === Number(f[1]))?.node, lostNode, f.join(" "));
  }
  return lost.map((f) => Number(f[9]));
}

/** Starts `node`'s slurmd again if it is down, as scripts/slurm-up.sh does (netns, own UTS). */
async function restartSlurmd(node: string): Promise<void> {
  const pidFile = `${C3}/run/slurmd-${node}.pid`;
  const alive = async () => {
    const pid = Number((await Deno.readTextFile(pidFile).catch(() => "")).trim());
    return pid > 0 && (await proc(pid, "cmdline"))[0] === "slurmd" ? true : undefined;
  };
  if (await alive()) return;
  // slurmd daemonizes; its stdio goes to the lab's log, so this returns at once.
  await runCommand("nsenter", [
    `--net=/run/netns/slurm-${node}`,
    ...["unshare", "--uts", "sh", "-c"],
    'hostname "$1" && exec slurmd -f "$2" -N "$1" </dev/null >>"$3" 2>&1',
    ...["sh", node, SLURM_LAB!.SLURM_CONF, `${C3}/log/slurmd-${node}.out`],
  ]);
  await waitForValue(`slurmd of ${node}`, alive, 5_000);
}

labTest({
  name: "Slurm: n2's slurmd, job step and engine SIGKILLed; n1 and n3 complete every task",
  labs: [SLURM_LAB],
  async fn(dir) {
    let id = "";
    try {
      // SLURM_TASKS_PER_NODE=4,1(x2): 6 cylinders, each task 2 s, so every node stays busy.
      const n = 24;
      await writeTasks(`${dir}/Tasks`, "sleep 2; echo $(hostname)\n".repeat(n));
      id = await sbatch(
        [
          ...["-N", "3", "-n", "6", `--export=ALL,DISBATCH_HEARTBEAT=${HEARTBEAT}`],
          ...["-o", `${dir}/slurm-%j.out`, "--wrap", `${LAUNCHER} -p run Tasks; echo exit=$?`],
        ],
        dir,
      );
      const ours = (env: string[]) => env.includes(`SLURM_JOB_ID=${id}`);
      const task = (_: string[], env: string[]) =>
        ours(env) && env.some((e) => e.startsWith("DISBATCH_TASKID="));
      await waitForValue(
        "a task on n2",
        async () => (await nodePids("n2", task)).length || undefined,
        20_000,
      );
      // n2 dies: SIGKILL to its slurmd, the job's slurmstepd there, and every process of the
      // job there (the engine and its task). The driver sees the engine's connection close.
      const victims = await nodePids(
        "n2",
        (cmd, env) => cmd[0] === "slurmd" || cmd[0].startsWith(`slurmstepd: [${id}.`) || ours(env),
      );
      const cmds = await Promise.all(victims.map((p) => proc(p, "cmdline")));
      const what = cmds.map((c) => c.join(" ")).join("\n");
      assert.ok(cmds.some((c) => c[0] === "slurmd"), what);
      assert.ok(cmds.some((c) => c[0].startsWith("slurmstepd:")), what);
      assert.ok(cmds.some((c) => c.includes("--engine")), what);
      const killedAt = Date.now() / 1000;
      for (const pid of victims) Deno.kill(pid, "SIGKILL");
      await waitForValue(
        "the lost attempt's Z line",
        () =>
          statusLines(`${dir}/run`).then((l) => l.some((x) => x.startsWith("R  Z")) || undefined)
            .catch(() => undefined),
        5_000,
      );
      // Only n2's slurmd comes back (the job's step there stays dead): the job can then end
      // cleanly (otherwise it stays COMPLETING on n2 for 80 s) and later tests have n2.
      await restartSlurmd("n2");

      await waitJob(id, 40_000);
      const out = await Deno.readTextFile(`${dir}/slurm-${id}.out`);
      assert.match(out, /^exit=0$/m, out);
      const lines = await statusLines(`${dir}/run`);
      const declared = assertNothingLost(lines, n, "n2", killedAt);
      assert.ok(declared.every((t) => t - killedAt < 2), `lost at ${declared}, killed ${killedAt}`);
      assert.deepEqual(
        [...new Set(taskRuns(lines).filter((r) => r.finish > killedAt).map((r) => r.node))].sort(),
        ["n1", "n3"],
      );
      assert.match(
        await Deno.readTextFile(`${dir}/run_driver.log`),
        /engine \d+ on n2 lost with [1-9]\d* running tasks/,
      );
      assert.deepEqual(await nodePids("n2", (_, env) => ours(env)), [], "nothing left on n2");
      const state = (await slurm("sinfo", ["-h", "-n", "n2", "-o", "%T"])).trim();
      assert.ok(["idle", "mixed", "allocated"].includes(state), `n2 is ${state}`);
    } finally {
      await restartSlurmd("n2");
      if (id) await slurm("scancel", [id]).catch(() => "");
    }
  },
});

labTest({
  name: "ssh: n2's network cut; its engine is declared lost in ~3 s, ends its tasks, n1 does all",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    // The prefix names the run: its tasks carry DISBATCH_JOBID=<prefix>.
    const prefix = `cut${crypto.randomUUID().slice(0, 8)}`;
    const mine = (cmd: string[], env: string[]) =>
      env.includes(`DISBATCH_JOBID=${prefix}`) ||
      cmd.includes("--engine") && cmd.includes(`${dir}/${prefix}_dbUtil.sh`);
    // The root-namespace end of n2's veth (scripts/slurm-up.sh names it "v" + the netns): with
    // it down, nothing of n2 reaches the bridge, as if its cable were pulled.
    const link = (state: "up" | "down") => runCommand("ip", ["link", "set", "vslurm-n2", state]);
    let cut = false;
    let driver: BackgroundRun | undefined;
    try {
      // A task on n2 would run for a minute: once the cable is out only its engine can end it.
      const n = 16;
      await writeTasks(
        `${dir}/Tasks`,
        'if [ "$(hostname)" = n2 ]; then sleep 60; fi; sleep 0.5; echo $(hostname)\n'.repeat(n),
      );
      driver = startDisbatch(
        ["--use-address", "10.77.0.1:0", "-s", "n1:2,n2:2", "-p", prefix, "Tasks"],
        { cwd: dir, env: { DISBATCH_HEARTBEAT: HEARTBEAT } },
      );
      const task = (_: string[], env: string[]) => env.includes(`DISBATCH_JOBID=${prefix}`);
      await waitForValue(
        "a task on n2",
        async () => (await nodePids("n2", task)).length || undefined,
        20_000,
      );
      const cutAt = Date.now() / 1000;
      await link("down");
      cut = true;
      // n2's engine hears nothing for 3 s, ends its tasks (SIGTERM) and exits.
      const [goneAt, out] = await Promise.all([
        waitForValue(
          "n2's engine to end its tasks after 3 s without the driver",
          async () => (await nodePids("n2", mine)).length === 0 ? Date.now() / 1000 : undefined,
          10_000,
        ),
        driver.result,
      ]);
      assert.equal(out.code, 0, out.stderr);
      assert.ok(goneAt - cutAt < 7, `n2's tasks ended ${goneAt - cutAt} s after the cut`);
      const lines = await statusLines(`${dir}/${prefix}`);
      for (const t of assertNothingLost(lines, n, "n2", cutAt)) {
        assert.ok(t - cutAt > 2.4 && t - cutAt < 6, `declared lost ${t - cutAt} s after the cut`);
      }
      assert.ok(taskRuns(lines).every((r) => r.node === "n1"), "n2 finished no task");
      assert.match(
        await Deno.readTextFile(`${dir}/${prefix}_driver.log`),
        /engine \d+ on n2 silent for \d+\.\d s; declared lost/,
      );
      const engineLog = await Deno.readTextFile(await findOne(dir, /_SSH0_n2_engine_\d+\.log$/));
      assert.match(engineLog, /the driver has been silent too long; ending/);
      assert.match(engineLog, /driver_lost: terminating [12] running tasks/);
    } finally {
      if (cut) {
        await link("up");
        await waitForValue(
          "n2's link",
          async () =>
            (await Deno.readTextFile("/sys/class/net/vslurm-n2/operstate")).trim() === "up" ||
            undefined,
          5_000,
        );
      }
      // Whatever failed, nothing of this run stays behind.
      killAll(await nodePids("n2", mine));
      if (driver) {
        try {
          driver.kill("SIGTERM");
        } catch {
          // it has ended
        }
        await driver.result;
      }
    }
  },
});

labTest({
  name: "ssh: an engine SIGKILLed on n2 leaves no task behind there (remote cleanup)",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    const marker = `rc${crypto.randomUUID().slice(0, 8)}`;
    try {
      await writeTasks(`${dir}/Tasks`, `sleep 60; true # ${marker}\n`.repeat(2));
      const driver = startDisbatch(["--no-reissue", "-s", "n2:2", "-p", "run", "Tasks"], {
        cwd: dir,
      });
      const tasksOn = () =>
        nodePids("n2", (cmd) => cmd.some((w) => w.includes(marker)) && cmd[0] !== "ssh");
      await waitForValue("both tasks running on n2", async () => {
        return (await tasksOn()).length >= 2 ? true : undefined;
      }, 20_000);
      const engine = await nodePids(
        "n2",
        (cmd) => cmd.includes("--engine") && cmd.some((w) => w.includes(dir)),
      );
      assert.equal(engine.length, 1, "one engine on n2");
      Deno.kill(engine[0], "SIGKILL");
      const t0 = Date.now();
      // The context sees ssh end, and runs `P_dbUtil.sh --cleanup` on n2 over ssh.
      await waitForValue("n2's tasks to be ended", async () => {
        return (await tasksOn()).length === 0 ? true : undefined;
      }, 15_000);
      assert.ok(Date.now() - t0 < 15_000);
      const out = await driver.result;
      const lines = (await statusLines(`${dir}/run`)).map(splitStatus);
      assert.deepEqual(lines.map((f) => [f[0], f[4], f[5], f[6]]), [
        ["R   ", "n2", "-1", "-100"],
        ["R   ", "n2", "-1", "-100"],
      ]);
      assert.equal(out.code, 0, out.stderr);
      const log = await findOne(dir, /^run_SSH0\.context\.log$/);
      assert.match(await Deno.readTextFile(log), /cleanup on n2 after its engine died: done/);
    } finally {
      killAll(await nodePids("n2", (cmd) => cmd.some((w) => w.includes(marker))));
    }
  },
});
