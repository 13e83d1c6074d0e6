/**
 * `--capture`, `#DISBATCH CAPTURE` and `disbatch --output`: every byte a task writes is kept
 * (up to the cap), in a few files per engine, readable during the run and after it, locally and
 * from engines on other hosts.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  LAUNCHER,
  listDir,
  project,
  splitStatus,
  statusLines,
  WAIT_GO,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import { startDisbatch, startProgram, waitFor } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";
import { TaskClient } from "../src/client/task_client.ts";
import { labTest, SLURM_LAB, SSH_LAB, taskRuns } from "./cluster_lab.ts";
import { EXIT_NO_OUTPUT, EXIT_TASKFILE, EXIT_USAGE } from "../src/cli/exit_codes.ts";

/** `disbatch --output args…` in `cwd`: exit code, raw stdout bytes, stderr text. */
async function output(args: string[], cwd: string) {
  const r = await new Deno.Command(LAUNCHER, {
    args: ["--output", ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, bytes: r.stdout, stderr: new TextDecoder().decode(r.stderr) };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Capture files (`P_capture_*`) in `dir`. */
async function captureFiles(dir: string): Promise<string[]> {
  return (await listDir(dir)).filter((n) => /_capture_\d+\.(out|idx)$/.test(n));
}

Deno.test("--capture keeps output byte for byte: binary, over the cap, written after the exit", async () => {
  await withTempDir(async (dir) => {
    const all = Uint8Array.from({ length: 1024 }, (_, i) => i % 256);
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 9)) % 256);
    await Deno.writeFile(`${dir}/all.bin`, all);
    await Deno.writeFile(`${dir}/big.bin`, big);
    await writeTasks(
      `${dir}/Tasks`,
      [
        "cat all.bin; cat all.bin >&2",
        "cat big.bin; printf 'tail\\n' >&2; exit 3",
        // stdout closed first, stderr written later; a background child writes after the exit
        "echo early; exec 1>&-; sleep 0.1; echo after-close >&2",
        "(sleep 0.3; echo late; echo late-err >&2) & echo now",
        "true",
      ].join("\n") + "\n",
    );
    const r = await disbatch(
      ["--capture", "--capture-max", "100000", "-s", "localhost:2", "-p", "run", "Tasks"],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    const o0 = await output(["run", "0"], dir);
    assert.equal(o0.code, 0, o0.stderr);
    assert.deepEqual(o0.bytes, all);
    assert.deepEqual((await output(["run", "0", "--stderr"], dir)).bytes, all);
    const o1 = await output(["run_dbUtil.sh", "1"], dir);
    assert.equal(o1.code, 0, o1.stderr);
    assert.deepEqual(o1.bytes, big.subarray(0, 100_000), "the first --capture-max bytes");
    assert.equal(text((await output(["run", "1", "--stderr"], dir)).bytes), "tail\n");
    assert.equal(text((await output(["run", "2"], dir)).bytes), "early\n");
    assert.equal(text((await output(["run", "2", "--stderr"], dir)).bytes), "after-close\n");
    assert.equal(text((await output(["run", "3"], dir)).bytes), "now\nlate\n");
    assert.equal(text((await output(["run", "3", "--stderr"], dir)).bytes), "late-err\n");
    const o4 = await output(["run", "4", "--follow"], dir);
    assert.deepEqual([o4.code, o4.bytes.length, o4.stderr], [0, 0, ""]);
    // The index records what was seen: the truncation and the full counts the status has.
    const index = await Deno.readTextFile(`${dir}/run_capture_0.idx`);
    assert.match(index, /^E 1 300000 5 1$/m);
    assert.match(index, /^E 0 1024 1024 0$/m);
    const status = new Map((await statusLines(`${dir}/run`)).map((l) => {
      const f = splitStatus(l);
      return [f[1], f];
    }));
    assert.deepEqual([status.get("1")![10], status.get("1")![12]], ["300000", "5"]);
    assert.equal(status.get("3")![11], "'now\\nlate\\n'");
    assert.deepEqual(await captureFiles(dir), ["run_capture_0.idx", "run_capture_0.out"]);

    // The status file is the same as without --capture.
    const plain = await disbatch(["-s", "localhost:2", "-p", "plain", "Tasks"], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    const sorted = async (p: string) => (await statusLines(`${dir}/${p}`)).map(project).sort();
    assert.deepEqual(await sorted("run"), await sorted("plain"));
    assert.deepEqual(await captureFiles(dir), ["run_capture_0.idx", "run_capture_0.out"]);
  });
});

Deno.test("10,000 captured tasks make two files for the engine, and each reads back", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "#DISBATCH REPEAT 10000 echo task $DISBATCH_TASKID\n");
    const r = await disbatch(["--capture", "-s", "localhost:2", "-p", "run", "Tasks"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await statusLines(`${dir}/run`)).length, 10_000);
    assert.deepEqual(await captureFiles(dir), ["run_capture_0.idx", "run_capture_0.out"]);
    assert.ok((await listDir(dir)).length < 20, (await listDir(dir)).join(" "));
    for (const id of [0, 4321, 9999]) {
      const o = await output(["run", String(id)], dir);
      assert.equal(o.code, 0, o.stderr);
      assert.equal(text(o.bytes), `task ${id}\n`);
    }
  });
});

Deno.test("#DISBATCH CAPTURE on|off captures parts of a file read from stdin", async () => {
  await withTempDir(async (dir) => {
    const tasks = [
      "echo a",
      "#DISBATCH CAPTURE on",
      "echo b",
      "#DISBATCH CAPTURE off",
      "echo c",
      "#DISBATCH capture On",
      "#DISBATCH REPEAT 2 echo r$DISBATCH_REPEAT_INDEX",
    ].join("\n") + "\n";
    const r = await disbatch(["-s", "localhost:1", "-p", "run", "-"], { cwd: dir, stdin: tasks });
    assert.equal(r.code, 0, r.stderr);
    const got = [];
    for (const id of [0, 1, 2, 3, 4]) {
      const o = await output(["run", String(id)], dir);
      got.push([o.code, text(o.bytes)]);
    }
    assert.deepEqual(got, [
      [EXIT_NO_OUTPUT, ""],
      [0, "b\n"],
      [EXIT_NO_OUTPUT, ""],
      [0, "r0\n"],
      [0, "r1\n"],
    ]);
    // --capture with CAPTURE off
    await writeTasks(`${dir}/T2`, "echo x\n#DISBATCH CAPTURE off\necho y\n");
    const r2 = await disbatch(["--capture", "-s", "localhost:1", "-p", "two", "T2"], { cwd: dir });
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(text((await output(["two", "0"], dir)).bytes), "x\n");
    assert.equal((await output(["two", "1"], dir)).code, EXIT_NO_OUTPUT);
  });
});

Deno.test("#DISBATCH CAPTURE in task-server submissions", async () => {
  await withTaskServer({ slots: 1 }, async (server, dir) => {
    const c = await TaskClient.connect(server.prefix);
    const ids = await c.submit(["echo plain", "#DISBATCH CAPTURE on", "echo kept; echo e >&2"]);
    assert.deepEqual(ids, [0, 1]);
    await c.waitForIds(ids);
    const o = await output([server.prefix, "1"], dir);
    assert.deepEqual([o.code, text(o.bytes)], [0, "kept\n"]);
    assert.equal(text((await output([server.prefix, "1", "--stderr"], dir)).bytes), "e\n");
    assert.equal((await output([server.prefix, "0"], dir)).code, EXIT_NO_OUTPUT);
    // A bad value is refused like any bad directive.
    await assert.rejects(c.submit(["#DISBATCH CAPTURE sometimes"]), /malformed #DISBATCH CAPTURE/);
    await c.done();
    await c.close();
  });
});

Deno.test("--output during the run, --follow until the task ends, and after the run", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, `echo first; ${WAIT_GO}; echo second\n`);
    const run = startDisbatch(["--capture", "-s", "localhost:1", "-p", "run", "Tasks"], {
      cwd: dir,
    });
    await waitFor("the first line's capture", async () => {
      const o = await output(["run", "0"], dir);
      return o.code === 0 && text(o.bytes) === "first\n";
    }, 20_000);
    const follow = startProgram(LAUNCHER, ["--output", "run", "0", "--follow"], { cwd: dir });
    // Following: it has printed what there is and waits for the rest.
    await new Promise((r) => setTimeout(r, 500));
    await Deno.writeTextFile(`${dir}/go`, "");
    const f = await follow.result;
    assert.deepEqual([f.code, f.stdout, f.stderr], [0, "first\nsecond\n", ""]);
    const end = await run.result;
    assert.equal(end.code, 0, end.stderr);
    const after = await output(["run", "0"], dir);
    assert.deepEqual([after.code, text(after.bytes)], [0, "first\nsecond\n"]);
  });
});

Deno.test("--output errors: one line and a distinct exit code", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo hi\n");
    const plain = await disbatch(["-s", "localhost:1", "-p", "plain", "Tasks"], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    const none = await output(["plain", "0"], dir);
    assert.equal(none.code, EXIT_NO_OUTPUT);
    assert.equal(
      none.stderr,
      "disbatch: error: the run plain has no captured output (no plain_capture_*.idx; " +
        "run with --capture or #DISBATCH CAPTURE on)\n",
    );
    const cap = await disbatch(["--capture", "-s", "localhost:1", "-p", "cap", "Tasks"], {
      cwd: dir,
    });
    assert.equal(cap.code, 0, cap.stderr);
    for (const args of [["cap", "7"], ["cap", "7", "--follow"]]) {
      const unknown = await output(args, dir);
      assert.equal(unknown.code, EXIT_NO_OUTPUT, args.join(" "));
      assert.equal(
        unknown.stderr,
        "disbatch: error: task 7 has no captured output in cap " +
          "(no such task, not captured, or no output or end yet)\n",
      );
    }
    for (
      const [args, message] of [
        [["cap"], "the following arguments are required: TASKID"],
        [[], "the following arguments are required: PREFIX, TASKID"],
        [["cap", "x1"], "argument TASKID: invalid task id: 'x1'"],
        [["cap", "1", "2"], "unrecognized arguments: 2"],
        [["cap", "1", "--tail"], "unrecognized arguments: --tail"],
      ] as const
    ) {
      const bad = await output([...args], dir);
      assert.equal(bad.code, EXIT_USAGE, args.join(" "));
      assert.equal(bad.stderr.split("\n")[0], `disbatch: error: ${message}`);
    }
    const help = await output(["--help"], dir);
    assert.equal(help.code, 0);
    assert.match(text(help.bytes), /^usage: disbatch --output /);

    await writeTasks(`${dir}/Bad`, "echo a\n#DISBATCH CAPTURE maybe\n");
    const bad = await disbatch(["-s", "localhost:1", "-p", "bad", "Bad"], { cwd: dir });
    assert.equal(bad.code, EXIT_TASKFILE);
    assert.equal(
      bad.stderr,
      "disbatch: error: Bad:2: malformed #DISBATCH CAPTURE: #DISBATCH CAPTURE maybe\n",
    );
    const max = await disbatch(["--capture-max", "-1", "Tasks"], { cwd: dir });
    assert.equal(max.code, EXIT_USAGE);
    assert.match(max.stderr, /argument --capture-max/);
  });
});

Deno.test("a new run with the same prefix removes the old run's capture files", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo one\n");
    assert.equal(
      (await disbatch(["--capture", "-s", "localhost:1", "-p", "run", "Tasks"], {
        cwd: dir,
      })).code,
      0,
    );
    assert.equal((await captureFiles(dir)).length, 2);
    assert.equal(
      (await disbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir })).code,
      0,
    );
    assert.deepEqual(await captureFiles(dir), []);
    assert.equal((await output(["run", "0"], dir)).code, EXIT_NO_OUTPUT);
  });
});

labTest({
  name: "--capture over ssh: engines on n1 and n2 write their captures beside the run's files",
  labs: [SLURM_LAB, SSH_LAB],
  async fn(dir) {
    await writeTasks(
      `${dir}/Tasks`,
      "sleep 0.5; echo $(hostname) $DISBATCH_TASKID; echo e >&2\n".repeat(6),
    );
    const r = await disbatch(["--capture", "-s", "n1:2,n2:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.deepEqual([...new Set(runs.map((t) => t.node))].sort(), ["n1", "n2"]);
    for (const t of runs) {
      const o = await output(["run", String(t.id)], dir);
      assert.equal(o.code, 0, o.stderr);
      assert.equal(text(o.bytes), `${t.node} ${t.id}\n`);
      assert.equal(text((await output(["run", String(t.id), "--stderr"], dir)).bytes), "e\n");
    }
    const files = await captureFiles(dir);
    assert.equal(files.length, 4, files.join(" "));
  },
});
