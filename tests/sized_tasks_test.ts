/**
 * Tasks of different sizes (`#DISBATCH RESOURCES`, issue #18), end to end: each task records
 * when it ran (its own clock readings, inside the time its engine held its resources) and what
 * it was given; the tests check the records, never the timing.
 */
import assert from "node:assert/strict";
import { SubmitRejectedError, TaskClient } from "../src/client/task_client.ts";
import { UNPLACEABLE_RC } from "../src/status/task_record.ts";
import {
  disbatch,
  type RunResult,
  splitStatus,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import { peak, records, setUp, sharedGpus, times } from "./task_records.ts";
import { envWithout, resultWithin, startDisbatch } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";

/**
 * Runs disbatch in `dir` without the machine's GPU variables (the engine would take its GPU ids
 * from them), plus `env`; fails instead of hanging.
 */
async function run(args: string[], dir: string, env: Record<string, string> = {}) {
  const base = envWithout("CUDA_VISIBLE_DEVICES", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS");
  const started = startDisbatch(args, { cwd: dir, env: { ...base, ...env }, clearEnv: true });
  return await resultWithin(started, 60_000) as RunResult;
}

Deno.test("mixed 4-core and 1-core tasks never hold more cores than the engine has", async () => {
  await withTempDir(async (dir) => {
    const tasks = [
      ...times(6, "./rec.sh 0.2"),
      "#DISBATCH RESOURCES cores=4 mem=100M",
      ...times(4, "./rec.sh 0.3"),
      "#DISBATCH RESOURCES default",
      ...times(8, "./rec.sh 0.1"),
      "#DISBATCH RESOURCES cores=3",
      ...times(3, "./rec.sh 0.2"),
      "#DISBATCH RESOURCES cores=1",
      ...times(6, "./rec.sh 0.1"),
    ];
    await setUp(dir, tasks);
    const r = await run(["-s", "localhost:6", "-p", "out", "tasks"], dir);
    assert.equal(r.code, 0, r.stderr);
    const recs = await records(dir);
    assert.equal(recs.size, 27);
    const asked = (id: number) => (id >= 6 && id < 10 ? 4 : id >= 18 && id < 21 ? 3 : 1);
    for (const rec of recs.values()) {
      assert.equal(rec.cores, asked(rec.id), `task ${rec.id}`);
      assert.equal(rec.mem, rec.id >= 6 && rec.id < 10 ? "100" : rec.id >= 18 ? "0" : "-");
    }
    const most = peak(recs.values(), (x) => asked(x.id));
    assert.ok(most <= 6, `${most} cores in use at once on an engine of 6`);
    // The driver log names each task's request.
    const log = await Deno.readTextFile(`${dir}/out_driver.log`).catch(async () => {
      for await (const f of Deno.readDir(dir)) {
        if (f.name.startsWith("out") && f.name.endsWith("driver.log")) {
          return await Deno.readTextFile(`${dir}/${f.name}`);
        }
      }
      return "";
    });
    assert.match(log, /task 6 on engine 0: cores=4 gpus=0 mem=100M/);
    assert.doesNotMatch(log, /task 0 on engine/);
  });
});

Deno.test("GPU ids from -E are never shared by two running tasks; each gets its count", async () => {
  await withTempDir(async (dir) => {
    const tasks = [
      "#DISBATCH RESOURCES gpus=2",
      ...times(4, "./rec.sh 0.3"),
      "#DISBATCH RESOURCES default",
      ...times(6, "./rec.sh 0.1"),
      "#DISBATCH RESOURCES gpus=3",
      ...times(2, "./rec.sh 0.2"),
      "#DISBATCH RESOURCES gpus=1",
      ...times(4, "./rec.sh 0.1"),
      "#DISBATCH RESOURCES gpus=0",
      ...times(2, "./rec.sh 0.1"),
    ];
    await setUp(dir, tasks);
    const r = await run(["-s", "localhost:4", "-E", "MY_GPUS", "-p", "out", "tasks"], dir, {
      MY_GPUS: "10,11,12,13",
    });
    assert.equal(r.code, 0, r.stderr);
    const recs = [...(await records(dir)).values()];
    assert.equal(recs.length, 18);
    const asked = (id: number) => (id < 4 ? 2 : id < 10 ? 1 : id < 12 ? 3 : id < 16 ? 1 : 0);
    for (const rec of recs) {
      assert.equal(rec.gpus.length, asked(rec.id), `task ${rec.id}: ${rec.gpus}`);
      assert.equal(new Set(rec.gpus).size, rec.gpus.length);
      for (const g of rec.gpus) assert.ok(["10", "11", "12", "13"].includes(g), g);
      // A task with RESOURCES sees its ids in CUDA_VISIBLE_DEVICES too.
      if (rec.id < 4 || rec.id >= 10) {
        assert.equal(rec.cuda, rec.gpus.length ? rec.gpus.join(",") : "-", `task ${rec.id}`);
      }
    }
    assert.deepEqual(sharedGpus(recs), []);
  });
});

Deno.test("a large task is not starved by the small ones after it", async () => {
  await withTempDir(async (dir) => {
    const tasks = [
      ...times(6, "./rec.sh 0.3"),
      "#DISBATCH RESOURCES cores=4",
      "./rec.sh 0.1",
      "#DISBATCH RESOURCES default",
      ...times(60, "./rec.sh 0.2"),
    ];
    await setUp(dir, tasks);
    const r = await run(["-s", "localhost:4", "-p", "out", "tasks"], dir);
    assert.equal(r.code, 0, r.stderr);
    const recs = await records(dir);
    const big = recs.get(6)!;
    assert.equal(big.cores, 4);
    // Once it is the oldest waiting task, no later one takes what it waits for.
    const before = [...recs.values()].filter((x) => x.id > 6 && x.start < big.start);
    assert.deepEqual(before.map((x) => x.id), []);
    // It ran alone.
    assert.equal(peak(recs.values(), (x) => (x.id === 6 ? 4 : 1)), 4);
  });
});

Deno.test("an impossible request fails clearly: its line, its request, rc -102; the rest runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/tasks`,
      "echo a\n#DISBATCH RESOURCES cores=3 gpus=1\necho big\n#DISBATCH RESOURCES default\necho b\n",
    );
    const r = await run(["-s", "localhost:2", "-e", "-p", "out", "tasks"], dir);
    assert.equal(r.code, 1, r.stderr);
    const message = "task 1 (line 3) asks for cores=3 gpus=1 mem=0M, more than any engine has " +
      "(engines have at most cores=2 gpus=0 mem=";
    assert.ok(r.stderr.includes(message), r.stderr);
    const lines = (await statusLines(`${dir}/out`)).map(splitStatus);
    const big = lines.find((f) => f[1] === "1")!;
    assert.deepEqual([big[0], big[5], big[6], big[14]], [
      "R E ",
      "-1",
      String(UNPLACEABLE_RC),
      "echo big",
    ]);
    assert.ok(big[13].startsWith(`'${message}`), big[13]);
    assert.deepEqual(
      lines.filter((f) => f[1] !== "1").map((f) => [f[1], f[6], f[11]]).sort(),
      [["0", "0", "'a\\n'"], ["2", "0", "'b\\n'"]],
    );
  });
});

Deno.test("a malformed RESOURCES is a task-file error naming file and line (exit 3)", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/tasks`, "echo a\n#DISBATCH RESOURCES cores=two\necho b\n");
    const r = await disbatch(["-s", "localhost:1", "-p", "out", "tasks"], { cwd: dir });
    assert.equal(r.code, 3);
    assert.equal(
      r.stderr,
      "disbatch: error: tasks:2: malformed #DISBATCH RESOURCES: cores=two is not an integer " +
        "from 1 to 1000000\n",
    );
    const s = await disbatch(["-s", "localhost:1", "-p", "out2", "-"], {
      cwd: dir,
      stdin: "echo a\n#DISBATCH RESOURCES mem=lots\n",
    });
    assert.equal(s.code, 3);
    assert.match(s.stderr, /^disbatch: error: <stdin>:2: malformed #DISBATCH RESOURCES: mem=lots/);
  });
});

Deno.test("RESOURCES in task-server submissions: applied, or refused when malformed", async () => {
  await withTaskServer({ slots: 2 }, async (server) => {
    const c = await TaskClient.connect(server.prefix);
    await assert.rejects(c.submit(["#DISBATCH RESOURCES cores=0"]), (e) => {
      assert.ok(e instanceof SubmitRejectedError);
      assert.match(e.message, /^<stream>:1: malformed #DISBATCH RESOURCES: cores=0 is not/);
      return true;
    });
    const ids = await c.submit([
      "#DISBATCH RESOURCES cores=2",
      "echo $DISBATCH_CORES_PER_TASK",
      "#DISBATCH RESOURCES default",
      "echo $DISBATCH_CORES_PER_TASK",
    ]);
    const r = await c.waitForIds(ids);
    assert.deepEqual(ids.map((id) => r.get(id)!.OutData), ["2\n", "1\n"]);
    await c.done();
    await c.close();
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
  });
});
