/**
 * Run files changed under a running run (issue #15 item 6): the task file deleted or shortened
 * while the driver reads it lazily, the status file deleted while the driver writes it.
 */
import assert from "node:assert/strict";
import { disbatch, splitStatus, statusLines, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";
import { exists, resultWithin, startDisbatch, waitFor } from "./background_run.ts";

/**
 * A task file bigger than the driver's first read (64 KiB): a task that waits for `go`, then
 * comment lines, then `last` tasks. The driver has read only part of it when `go` appears.
 */
function bigTaskFile(last: number): string {
  const pad = `# ${"x".repeat(97)}\n`.repeat(3_000);
  const tail = Array.from({ length: last }, (_, i) => `echo last${i}\n`).join("");
  return `touch started; ${WAIT_GO}; true\n${pad}${tail}`;
}

/** Starts a run of `Tasks` on one slot, waits until task 0 runs, `act`s, then lets it go. */
async function changeDuringRun(
  dir: string,
  act: () => Promise<void>,
): Promise<{ code: number; stderr: string; lines: string[][] }> {
  const run = startDisbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
  try {
    await waitFor("task 0 to start", () => exists(`${dir}/started`), 15_000);
    await act();
    await Deno.writeTextFile(`${dir}/go`, "");
    const r = await resultWithin(run, 30_000);
    return {
      code: r.code,
      stderr: r.stderr,
      lines: (await statusLines(`${dir}/run`)).map(splitStatus),
    };
  } finally {
    await Deno.writeTextFile(`${dir}/go`, "").catch(() => {});
    await resultWithin(run, 5_000).catch(() => {});
  }
}

Deno.test("the task file deleted mid-run: the run reads on from the open file and finishes", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, bigTaskFile(3));
    const r = await changeDuringRun(dir, () => Deno.remove(`${dir}/Tasks`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.deepEqual(r.lines.map((f) => [f[1], f[6]]).sort(), [
      ["0", "0"],
      ["1", "0"],
      ["2", "0"],
      ["3", "0"],
    ]);
  });
});

Deno.test("the task file shortened mid-run: one task-file error naming it, exit 3, lines kept", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, bigTaskFile(3));
    const r = await changeDuringRun(dir, () => Deno.truncate(`${dir}/Tasks`, 100));
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^disbatch: error: Tasks:\d+: the file was shortened during the run \(it ends at byte \d+ of the 300\d+ it had when the run started\); the tasks after this line did not run\n$/,
    );
    assert.deepEqual(
      r.lines.map((f) => [f[1], f[6]]),
      [["0", "0"]],
      "the task that ran keeps its line",
    );
  });
});

Deno.test("the status file deleted mid-run: re-created with every line, one warning", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      `echo a\necho b\ntouch started; ${WAIT_GO}; true\necho c\necho d\n`,
    );
    const status = `${dir}/run_status.txt`;
    const r = await changeDuringRun(dir, async () => {
      await waitFor("two lines", async () => (await statusLines(`${dir}/run`)).length === 2);
      await Deno.remove(status);
      // Re-created by the driver's next check (every 500 ms), before any further line.
      await waitFor("the status file again", () => exists(status), 15_000);
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `disbatch: warning: the status file ${status} was deleted during the run; re-created it ` +
        "with the 2 task lines written so far\n",
    );
    assert.deepEqual(r.lines.map((f) => f[1]).sort(), ["0", "1", "2", "3", "4"]);
    const log = await Deno.readTextFile(`${dir}/run_driver.log`);
    assert.match(log, /WARNING driver: the status file .* was deleted during the run/);
  });
});

Deno.test("the status file deleted just before the run ends: re-created at the end", async () => {
  await withTempDir(async (dir) => {
    // The last task deletes it and the run ends at once: the end's own check restores it.
    await writeTasks(`${dir}/Tasks`, `echo a\necho b\nrm run_status.txt\n`);
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^disbatch: warning: the status file .*run_status.txt was deleted during the run; re-created it with the \d task lines written so far\n$/,
    );
    assert.deepEqual((await statusLines(`${dir}/run`)).map((l) => splitStatus(l)[1]).sort(), [
      "0",
      "1",
      "2",
    ]);
  });
});

Deno.test("the status file's directory deleted mid-run: one warning, the run finishes", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/out`);
    await writeTasks(`${dir}/Tasks`, `touch started; ${WAIT_GO}; true\necho c\n`);
    const run = startDisbatch(["-s", "localhost:1", "-p", "out/run", "Tasks"], { cwd: dir });
    try {
      await waitFor("task 0 to start", () => exists(`${dir}/started`), 15_000);
      await Deno.remove(`${dir}/out`, { recursive: true });
      await Deno.writeTextFile(`${dir}/go`, "");
      const r = await resultWithin(run, 30_000);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /^disbatch: warning: the status file was deleted during the run and cannot be re-created: cannot write .*out\/run_status.txt: No such file or directory \(os error 2\); its lines are lost when the run ends\n$/,
      );
    } finally {
      await Deno.writeTextFile(`${dir}/go`, "").catch(() => {});
      await resultWithin(run, 5_000).catch(() => {});
    }
  });
});
