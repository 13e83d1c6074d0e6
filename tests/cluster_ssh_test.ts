/**
 * The SSH context against real sshd's in the lab's node namespaces (scripts/LAB.md): the driver
 * runs here, in the root namespace, and engines on n1..n3 reach it over the lab bridge.
 */
import assert from "node:assert/strict";
import { disbatch, listDir, statusLines, writeTasks } from "./helpers.ts";
import { parseDbUtil } from "../src/protocol/db_util_script.ts";
import { startDisbatch, startProgram, waitFor } from "./background_run.ts";
import { labTest, maxConcurrent, SLURM_LAB, SSH_LAB, taskRuns } from "./cluster_lab.ts";

labTest({
  name: "-s n1:2,n2:2 runs the tasks on both hosts over ssh, at most two at a time each",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    await writeTasks(
      `${dir}/Tasks`,
      "sleep 1; echo $(hostname) $DISBATCH_CYLINDER_RANK\n".repeat(8),
    );
    const r = await disbatch(["-s", "n1:2,n2:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.equal(runs.length, 8);
    assert.ok(
      runs.every((t) => t.rc === 0 && t.out.startsWith(`${t.node} `)),
      JSON.stringify(runs),
    );
    assert.deepEqual([...new Set(runs.map((t) => t.node))].sort(), ["n1", "n2"]);
    for (const node of ["n1", "n2"]) {
      const on = runs.filter((t) => t.node === node);
      assert.ok(maxConcurrent(on) <= 2, node);
      assert.ok(on.every((t) => ["0", "1"].includes(t.out.split(" ")[1])), node);
    }
    const log = await Deno.readTextFile(`${dir}/run_SSH0.context.log`);
    assert.match(log, /ssh -o BatchMode=yes -o ConnectTimeout=10 n1 /);
  },
});

labTest({
  name: "--use-address: the helper advertises only that address, and remote engines use it",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    await writeTasks(`${dir}/Tasks`, "hostname\nhostname\n");
    const r = await disbatch(
      ["--use-address", "10.77.0.1:0", "-s", "n3:1", "-p", "run", "Tasks"],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    const addresses = parseDbUtil(await Deno.readTextFile(`${dir}/run_dbUtil.sh`)).addresses;
    assert.equal(addresses.length, 1);
    assert.match(addresses[0], /^10\.77\.0\.1:\d+$/);
    assert.deepEqual(taskRuns(await statusLines(`${dir}/run`)).map((t) => t.out), ["n3", "n3"]);
  },
});

labTest({
  name: "P_dbUtil.sh -s n3:2 adds a host to a running run, which then takes tasks",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    await writeTasks(
      `${dir}/Tasks`,
      "sleep 0.5; echo $(hostname) $DISBATCH_CYLINDER_RANK\n".repeat(12),
    );
    const driver = startDisbatch(["-s", "n1:1", "-p", "run", "Tasks"], { cwd: dir });
    // Join once the first context's engine is at work.
    await waitFor(
      "the run to start",
      async () => (await statusLines(`${dir}/run`).catch(() => [])).length > 0,
      20_000,
    );
    const extra = await startProgram(`${dir}/run_dbUtil.sh`, ["-s", "n3:2", "-l", "extra"], {
      cwd: dir,
    }).result;
    assert.equal(extra.code, 0, extra.stderr);
    const d = await driver.result;
    assert.equal(d.code, 0, d.stderr);
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.equal(runs.length, 12);
    assert.ok(runs.every((t) => t.rc === 0 && t.out.startsWith(`${t.node} `)));
    const n3 = runs.filter((t) => t.node === "n3");
    assert.ok(n3.length >= 1, `the added host took no task: ${JSON.stringify(runs)}`);
    assert.ok(
      maxConcurrent(n3) <= 2 && n3.every((t) => ["0", "1"].includes(t.out.split(" ")[1])),
    );
    const files = await listDir(dir);
    assert.ok(files.includes("run_extra.context.log"), String(files));
    assert.ok(files.includes("run_extra_n3_engine_wrap.log"), String(files));
  },
});

labTest({
  name: "a wrong host name and an unreachable host are clear errors within seconds",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    await writeTasks(`${dir}/Tasks`, "hostname\n");
    const t0 = Date.now();
    // DISBATCH_SSH_OPTIONS goes before our ConnectTimeout=10, so its value wins.
    const env = { DISBATCH_SSH_OPTIONS: "-o ConnectTimeout=3" };
    const [wrong, unreachable] = await Promise.all([
      disbatch(["-s", "nosuch-host.invalid:2", "-p", "wrong", "Tasks"], { cwd: dir, env }),
      disbatch(["-s", "10.77.0.99:2", "-p", "unreachable", "Tasks"], { cwd: dir, env }),
    ]);
    const seconds = (Date.now() - t0) / 1000;
    // Nothing ran and the line says why: it is all that is printed.
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /^disbatch: engine on nosuch-host\.invalid failed \(exit 255\): ssh: Could not resolve hostname nosuch-host\.invalid: [^\n]*\n$/,
    );
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /^disbatch: engine on 10\.77\.0\.99 failed \(exit 255\): ssh: connect to host 10\.77\.0\.99 port 22: (Connection timed out|No route to host)\n$/,
    );
    assert.ok(seconds < 15, `took ${seconds} s`);
    assert.deepEqual(await statusLines(`${dir}/wrong`), []);
  },
});
