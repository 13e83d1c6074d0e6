/**
 * Faults of the files and streams a run writes (issue "Faults and bad input"), made real: a
 * tmpfs that fills up during the run, a read-only one for `-p`, paths taken by directories, a
 * stdout/stderr whose reader is gone. Each ends in one line and a documented exit code, never
 * a stack trace, and a full disk leaves a status file that `-r` completes exactly once.
 */
import assert from "node:assert/strict";
import { parseStatusLine } from "../src/status/status_line.ts";
import { LAUNCHER, splitStatus, statusLines, withTempDir, writeTasks } from "./helpers.ts";
import {
  exists,
  killAll,
  resultWithin,
  startProgram,
  uniqueMarker,
  waitFor,
  waitGone,
} from "./background_run.ts";
import { disbatch, livePids } from "./helpers.ts";
import { CAN_MOUNT, MOUNT_NOTE, withTmpfs } from "./fault_mounts.ts";

const TASKS = 600;
/** A Deno stack frame or uncaught-error banner. */
const STACK = /Uncaught|^\s+at .*:\d+:\d+/m;

/** Lines of a status file that must end with a newline and hold only whole records. */
async function wholeRecords(path: string): Promise<string[][]> {
  const text = await Deno.readTextFile(path);
  assert.ok(text.endsWith("\n"), `${path} ends in a torn line: ${JSON.stringify(text.slice(-80))}`);
  const lines = text.slice(0, -1).split("\n");
  for (const l of lines) assert.ok(parseStatusLine(l), `not a whole record: ${JSON.stringify(l)}`);
  return lines.map(splitStatus);
}

Deno.test({
  name:
    "disk full under the status file: exit 4, one line, no torn line; -r completes each task once",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await withTempDir(async (cwd) => {
      const marker = `full${uniqueMarker()}`;
      const lines = Array.from(
        { length: TASKS },
        (_, i) => `echo task ${i} ${"padding ".repeat(8)}# ${marker}`,
      );
      await writeTasks(`${cwd}/Tasks`, lines.join("\n") + "\n");
      // Each status line is ~170 bytes: the file outgrows 64 KiB long before the last task.
      await withTmpfs(64 * 1024, async ({ dir, resize }) => {
        const r = await disbatch(["-s", "localhost:2", "-p", `${dir}/run`, "Tasks"], { cwd });
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stdout, "");
        assert.doesNotMatch(r.stderr, STACK);
        assert.deepEqual(r.stderr.split("\n"), [
          `disbatch: cannot write ${dir}/run_status.txt: No space left on device (os error 28);` +
          ` run stopped, resume with -r ${dir}/run_status.txt`,
          "",
        ]);
        const first = await wholeRecords(`${dir}/run_status.txt`);
        assert.ok(first.length > 50 && first.length < TASKS, `${first.length} lines`);
        await waitGone(marker, 5_000);
        assert.deepEqual(await livePids(marker), [], "running tasks were killed");

        await resize(1024 * 1024);
        const r2 = await disbatch(
          ["-s", "localhost:2", "-p", `${dir}/run2`, "-r", `${dir}/run_status.txt`, "Tasks"],
          { cwd },
        );
        assert.equal(r2.code, 0, r2.stderr);
        const second = await wholeRecords(`${dir}/run2_status.txt`);
        // Every task has exactly one successful run in the two files together.
        const ran = [...first, ...second].filter((f) => f[0][3] === " ").map((f) => {
          assert.equal(f[6], "0", f.join("\t"));
          return Number(f[1]);
        });
        assert.equal(ran.length, TASKS, "no task ran twice");
        assert.deepEqual([...new Set(ran)].sort((a, b) => a - b), [...Array(TASKS).keys()]);
        assert.equal(second.filter((f) => f[0][3] === "S").length, first.length);
      });
    });
  },
});

Deno.test({
  name: "-p on a read-only file system: exit 4, one line naming the file, nothing runs",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await withTempDir(async (cwd) => {
      await writeTasks(`${cwd}/Tasks`, "touch ran\n");
      await withTmpfs(64 * 1024, async ({ dir }) => {
        for (const p of [`${dir}/run`, `${dir}/`]) {
          const r = await disbatch(["-s", "localhost:2", "-p", p, "Tasks"], { cwd });
          assert.equal(r.code, 4, r.stderr);
          assert.match(
            r.stderr,
            new RegExp(
              `^disbatch: cannot write ${dir}/\\S+_driver\\.log: Read-only file system \\(os error 30\\)\\n$`,
            ),
          );
          assert.ok(!(await exists(`${cwd}/ran`)));
        }
      }, { readOnly: true });
    });
  },
});
Deno.test({
  name: "disk full under the driver log only: the run completes, one warning at the end",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await withTempDir(async (cwd) => {
      await writeTasks(`${cwd}/Tasks`, "echo a\necho b\n");
      await withTmpfs(64 * 1024, async ({ dir }) => {
        await fill(`${dir}/filler`);
        const r = await disbatch(
          ["-s", "localhost:2", "-p", "run", "--logfile", `${dir}/driver.log`, "Tasks"],
          { cwd },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
          r.stderr,
          `disbatch: warning: cannot write ${dir}/driver.log: No space left on device (os error 28);` +
            " some of its lines are missing\n",
        );
        assert.equal((await wholeRecords(`${cwd}/run_status.txt`)).length, 2);
      });
    });
  },
});

/** Writes `path` until the file system is full. */
async function fill(path: string): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true });
  try {
    for (;;) await f.write(new Uint8Array(4096));
  } catch (e) {
    if (!(e instanceof Error) || !/os error 28/.test(e.message)) throw e;
  } finally {
    f.close();
  }
}

if (!CAN_MOUNT) console.log(`disk-full and read-only tests: ${MOUNT_NOTE}`);

Deno.test({
  name: "-p where the user may not write (EACCES): exit 4, one line naming the file",
  // Root may write anywhere: the run is made as `nobody`.
  ignore: Deno.uid() !== 0,
  fn: async () => {
    await withTempDir(async (dir) => {
      await Deno.chmod(dir, 0o755);
      await writeTasks(`${dir}/Tasks`, "touch ran\n");
      await Deno.mkdir(`${dir}/out`, { mode: 0o555 });
      await Deno.chmod(`${dir}/out`, 0o555);
      const out = await new Deno.Command("su", {
        args: [
          "nobody",
          "-s",
          "/bin/bash",
          "-c",
          `cd '${dir}' && exec "$0" -s localhost:1 -p out/run Tasks`,
          LAUNCHER,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 4, stderr);
      const real = await Deno.realPath(dir);
      assert.equal(
        stderr,
        `disbatch: cannot write ${real}/out/run_driver.log: Permission denied (os error 13)\n`,
      );
      assert.ok(!(await exists(`${dir}/ran`)));
    });
  },
});

Deno.test("a status file or helper script that cannot be created: exit 4, one line, nothing runs", async () => {
  for (const file of ["status.txt", "dbUtil.sh"]) {
    await withTempDir(async (dir) => {
      await writeTasks(`${dir}/Tasks`, "touch ran\n");
      await Deno.mkdir(`${dir}/run_${file}`);
      const r = await disbatch(["-s", "localhost:2", "-w", "-p", "run", "Tasks"], { cwd: dir });
      assert.equal(r.code, 4, r.stderr);
      const real = await Deno.realPath(dir);
      assert.equal(
        r.stderr,
        `disbatch: cannot write ${real}/run_${file}: Is a directory (os error 21)\n`,
      );
      assert.ok(!(await exists(`${dir}/ran`)));
    });
  }
});

/** Runs `bash -c script` with the launcher as `$0`; stdout and stderr are the test's. */
function bash(script: string, cwd: string) {
  return startProgram("bash", ["-c", script, LAUNCHER], { cwd });
}

Deno.test("stdout and stderr into a pipe nobody reads: the run goes on to its end", async () => {
  await withTempDir(async (dir) => {
    // A bad directive on stdin stops the feeding when reached: exit 3 and a line on stderr at
    // the end, long after `head -c 0` has gone (a crash would exit 1).
    const tasks = "sleep 0.5; echo a\n#DISBATCH BOGUS\necho b\n";
    await writeTasks(`${dir}/Tasks`, tasks);
    const r = await resultWithin(
      bash('"$0" -s localhost:2 -p run - < Tasks 2>&1 | head -c 0; exit ${PIPESTATUS[0]}', dir),
      20_000,
    );
    assert.equal(r.code, 3, r.stderr);
    const lines = await statusLines(`${dir}/run`);
    assert.deepEqual(lines.map((l) => splitStatus(l)[14]), ["sleep 0.5; echo a"]);
  });
});

Deno.test("-S with stdout into a pipe nobody reads, stderr closed: the run completes", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\necho b\necho c\n");
    const driver = bash('"$0" -S -p "$PWD/run" Tasks 2>&- | head -c 0; exit ${PIPESTATUS[0]}', dir);
    try {
      await waitFor("the helper script", () => exists(`${dir}/run_dbUtil.sh`));
      const ctx = await resultWithin(
        startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:2"], { cwd: dir }),
        20_000,
      );
      assert.equal(ctx.code, 0, ctx.stderr);
      const r = await resultWithin(driver, 10_000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await wholeRecords(`${dir}/run_status.txt`)).length, 3);
    } finally {
      // The driver is bash's child in a pipeline: stopping bash would not stop it, and a -S
      // driver waits for contexts for ever.
      killAll(await livePids(`${dir}/`));
      await resultWithin(driver, 5_000).catch(() => {});
    }
  });
});
