/**
 * `--retries` and `--timeout` / `#DISBATCH TIMEOUT` (issue "Never lose a task"): exact attempt
 * counts, superseded attempts as Z lines, timed-out attempts with rc -124 and their process
 * groups gone.
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

Deno.test("--retries N: a task that keeps failing runs N+1 times, one that recovers stops", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      [
        // Succeeds on its third attempt.
        'n=$(cat c0 2>/dev/null || echo 0); echo $((n+1)) > c0; [ "$n" -ge 2 ]',
        "echo x >> c1; exit 5",
        "echo ok",
      ].join("\n") + "\n",
    );
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "--retries", "3", "-e", "Tasks"], {
      cwd: dir,
    });
    assert.equal(r.code, 1, "task 1 still fails after its retries");
    const f = (await statusLines(`${dir}/run`)).map(splitStatus);
    const of = (id: string, kind: string) => f.filter((x) => x[1] === id && x[0][3] === kind);
    assert.equal(of("0", "Z").length, 2);
    assert.deepEqual(of("0", " ").map((x) => x[6]), ["0"]);
    assert.equal(of("1", "Z").length, 3);
    assert.deepEqual(of("1", " ").map((x) => x[6]), ["5"]);
    assert.deepEqual(of("2", "Z"), []);
    assert.equal((await Deno.readTextFile(`${dir}/c0`)).trim(), "3");
    assert.equal((await Deno.readTextFile(`${dir}/c1`)).trim().split("\n").length, 4);
    assert.ok(f.filter((x) => x[0][3] === "Z").every((x) => x[0] === "R  Z"));
  });
});

Deno.test("--timeout and #DISBATCH TIMEOUT: rc -124, the whole process group ends", async () => {
  await withTempDir(async (dir) => {
    const marker = `tmo${crypto.randomUUID().slice(0, 8)}`;
    await writeTasks(
      `${dir}/Tasks`,
      [
        `sleep 30 & sleep 31; true # ${marker}`,
        "#DISBATCH TIMEOUT 0.3",
        `sleep 32; true # ${marker}`,
        "#DISBATCH TIMEOUT none",
        "sleep 1.5; echo slow-but-allowed",
        "#DISBATCH TIMEOUT default",
        "echo quick",
      ].join("\n") + "\n",
    );
    const t0 = Date.now();
    const r = await disbatch(["-s", "localhost:4", "-p", "run", "--timeout", "1", "Tasks"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 20_000, "the 32 s task was stopped at its timeout");
    const f = (await statusLines(`${dir}/run`)).map(splitStatus);
    const rc = (id: string) => f.find((x) => x[1] === id)![6];
    const elapsed = (id: string) => Number(f.find((x) => x[1] === id)![7]);
    assert.equal(rc("0"), "-124");
    assert.ok(elapsed("0") >= 1 && elapsed("0") < 4, `task 0 ran ${elapsed("0")} s`);
    assert.equal(rc("1"), "-124");
    assert.ok(elapsed("1") >= 0.3 && elapsed("1") < 3, `task 1 ran ${elapsed("1")} s`);
    assert.equal(rc("2"), "0", "TIMEOUT none lifts the --timeout");
    assert.equal(rc("3"), "0");
    assert.deepEqual(await livePids(marker), [], "background children of timed-out tasks end too");
  });
});

Deno.test("a timed-out attempt is retried like a failed one", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a >> tries; sleep 5\n");
    const args = ["-s", "localhost:1", "-p", "run", "--timeout", "0.2", "--retries", "1", "Tasks"];
    const r = await disbatch(args, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const f = (await statusLines(`${dir}/run`)).map(splitStatus);
    assert.deepEqual(f.map((x) => [x[0], x[6]]), [["R  Z", "-124"], ["R   ", "-124"]]);
    assert.equal((await Deno.readTextFile(`${dir}/tries`)).trim().split("\n").length, 2);
  });
});
