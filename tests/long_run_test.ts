/**
 * Runs longer than one allocation, without the lab: a fake Slurm job (SLURM_JOB_ID and
 * SLURM_JOB_END_TIME set, `-s localhost:N` for the hosts) whose end is a few seconds away,
 * `DISBATCH_WALL_GRACE` shortened so that the stop comes soon. The real Slurm paths (squeue,
 * sbatch) are in cluster_long_run_test.ts.
 */
import assert from "node:assert/strict";
import { disbatch, statusLines, withTempDir, writeTasks } from "./helpers.ts";
import { taskRuns } from "./cluster_lab.ts";

/** The environment of a job that ends `inSeconds` from now. */
function jobEnv(inSeconds: number): Record<string, string> {
  return {
    SLURM_JOB_ID: "4242",
    SLURM_JOB_END_TIME: String(Math.floor(Date.now() / 1000) + inSeconds),
    DISBATCH_WALL_GRACE: "2",
  };
}

/** The command a drained run printed (the line after the one that says to resume). */
function printedCommand(stderr: string): string {
  const m = stderr.match(/resume it with:\n {3}(.+)\n/);
  assert.ok(m, stderr);
  return m[1];
}

async function sh(command: string, cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command("sh", { args: ["-c", command], cwd, env }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("--drain-before more than the time left: no task starts, exit 75, the printed command resumes", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\necho b\n#DISBATCH BARRIER\necho c\n");
    const r = await disbatch(
      ["--drain-before", "600", "-s", "localhost:2", "-p", "run", "Tasks"],
      { cwd: dir, env: jobEnv(300) },
    );
    assert.equal(r.code, 75, r.stderr);
    assert.match(
      r.stderr,
      /^disbatch: the Slurm job's time limit is near: 3 task\(s\) left; this run is incomplete, resume it with:\n/,
    );
    assert.deepEqual(await statusLines(`${dir}/run`), [], "nothing ran, nothing recorded");
    const cmd = printedCommand(r.stderr);
    assert.match(cmd, / --link-of '?[^ ']*\/run'? --drain-before 600 /);
    // Outside a Slurm job --drain-before does nothing: the command resumes anywhere.
    const again = await sh(cmd, dir);
    assert.equal(again.code, 0, again.stderr);
    const lines = await statusLines(`${dir}/run_link2`);
    const runs = taskRuns(lines.filter((l) => !l.startsWith("B")));
    assert.deepEqual(runs.map((t) => t.out).sort(), ["a", "b", "c"]);
  });
});

Deno.test("at the grace before the end, running tasks are stopped: Z lines rc -101, exit 75; resuming runs them", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      '#DISBATCH PERENGINE START echo pe\necho quick\nsleep "$LONG"; echo one\n' +
        'sleep "$LONG"; echo two\n',
    );
    // No drain: tasks start at once; they are stopped 2 s before the end.
    const r = await disbatch(
      ["--drain-before", "0", "-s", "localhost:2", "-p", "run", "Tasks"],
      { cwd: dir, env: { ...jobEnv(9), LONG: "1000" } },
    );
    assert.equal(r.code, 75, r.stderr);
    assert.match(r.stderr, /: 2 task\(s\) left \(2 stopped at the job's end\); this run/);
    const lines = await statusLines(`${dir}/run`);
    const z = lines.map((l) => l.split("\t")).filter((f) => f[0][3] === "Z");
    assert.deepEqual(z.map((f) => [f[1], f[6]]).sort(), [["1", "-101"], ["2", "-101"]]);
    assert.deepEqual(taskRuns(lines).map((t) => t.out), ["quick"]);
    const again = await sh(printedCommand(r.stderr), dir, { LONG: "0" });
    assert.equal(again.code, 0, again.stderr);
    const second = await statusLines(`${dir}/run_link2`);
    assert.deepEqual(taskRuns(second).map((t) => t.out).sort(), ["one", "two"]);
    assert.equal(second.filter((l) => /^...S\t0\t/.test(l)).length, 1, "quick ran once");
    const perEngine = (ls: string[]) => ls.filter((l) => /^...P\t/.test(l)).length;
    assert.deepEqual([perEngine(lines), perEngine(second)], [1, 1], "PERENGINE in each link");
  });
});

Deno.test("--link-of a prefix that is no run: one line, exit 2", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\n");
    const r = await disbatch(["--link-of", "nothing", "Tasks"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.split("\n")[0],
      `disbatch: error: argument --link-of: no run has the prefix ${dir}/nothing ` +
        `(${dir}/nothing_status.txt is missing)`,
    );
  });
});

/** A directory of fake Slurm commands: sbatch records its argv (JSON) and prints job 777. */
async function fakeSlurm(dir: string): Promise<string> {
  const bin = `${dir}/bin`;
  await Deno.mkdir(bin);
  const scripts: Record<string, string> = {
    sbatch: `printf '%s\\0' "$@" > ${dir}/sbatch.args; echo 777`,
    scancel: `echo "$@" >> ${dir}/scancel.log`,
    squeue: `case "$*" in *%l*) echo 1:00;; *) exit 1;; esac`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return bin;
}

Deno.test("--chain: draining submits the next link with the job's options; a failing BARRIER CHECK in it ends the chain", async () => {
  await withTempDir(async (dir) => {
    const bin = await fakeSlurm(dir);
    await writeTasks(
      `${dir}/Tasks`,
      'exit 3\nsleep "$LONG"; echo long\n#DISBATCH BARRIER CHECK\necho never\n',
    );
    const env = {
      ...jobEnv(9),
      PATH: `${bin}:${Deno.env.get("PATH")}`,
      LONG: "1000",
      SLURM_JOB_NUM_NODES: "1",
      SLURM_JOB_PARTITION: "debug",
    };
    // Drain 4 s before the end, stop 2 s before it.
    const r = await disbatch(
      ["--drain-before", "4", "--chain", "-s", "localhost:2", "-p", "run", "Tasks"],
      { cwd: dir, env },
    );
    assert.equal(r.code, 75, r.stderr);
    const root = `${await Deno.realPath(dir)}/run`;
    assert.equal(
      r.stderr,
      "disbatch: the Slurm job's time limit is near: 2 task(s) left (1 stopped at the job's " +
        `end); the run goes on in job 777 (prefix ${root}_link2)\n`,
    );
    const argv = (await Deno.readTextFile(`${dir}/sbatch.args`)).split("\0").slice(0, -1);
    assert.deepEqual(argv.slice(0, -1), [
      "--nodes=1",
      "--partition=debug",
      "--time=1:00",
      "--parsable",
      "--dependency=afterany:4242",
      "--wrap",
    ]);
    const command = argv.at(-1)!;
    assert.match(command, / --link-of '?[^ ']*\/run'? --drain-before 4 --chain /);
    // The next link, as Slurm would start it: the failure of task 0 is still on record, so
    // the BARRIER CHECK fails there; that link never drains, so nothing more is submitted.
    await Deno.remove(`${dir}/sbatch.args`);
    const link2 = await sh(command, dir, {
      ...env,
      ...jobEnv(300),
      SLURM_JOB_ID: "777",
      LONG: "0",
    });
    assert.equal(link2.code, 1, link2.stderr);
    assert.match(link2.stderr, /^BARRIER CHECK at line 3 \(task 2\) failed: task 0 \(line 1\)/m);
    await assert.rejects(Deno.stat(`${dir}/sbatch.args`), Deno.errors.NotFound);
    const second = await statusLines(`${dir}/run_link2`);
    assert.deepEqual(taskRuns(second.filter((l) => !l.startsWith("C"))).map((t) => t.out), [
      "long",
    ]);
    assert.equal(
      await Deno.readTextFile(`${dir}/run_chain.txt`),
      `link\t1\t4242\t${root}\nnext\t777\nlink\t2\t777\t${root}_link2\n`,
    );
    // --wait and --state on the first prefix follow the chain to its last link.
    const waited = await disbatch(["--wait", "run"], { cwd: dir });
    assert.equal(waited.code, 1, waited.stderr);
    const state = await disbatch(["--state", "run"], { cwd: dir });
    assert.equal(state.code, 0, state.stderr);
    const s = JSON.parse(state.stdout);
    assert.equal(s.prefix, `${root}_link2`);
    assert.equal(s.exitCode, 1);
    assert.deepEqual(s.chain.links.map((l: { jobId: string }) => l.jobId), ["4242", "777"]);
  });
});

Deno.test("--chain: a link that completes the run during its drain cancels the job it submitted", async () => {
  await withTempDir(async (dir) => {
    const bin = await fakeSlurm(dir);
    await writeTasks(`${dir}/Tasks`, "sleep 4; echo one\n");
    // The task starts at once; draining starts 4 s in (submitting job 777), the task ends
    // before the stop 10 s in: nothing is left.
    const r = await disbatch(
      ["--drain-before", "8", "--chain", "-s", "localhost:1", "-p", "run", "Tasks"],
      { cwd: dir, env: { ...jobEnv(12), PATH: `${bin}:${Deno.env.get("PATH")}` } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(await Deno.readTextFile(`${dir}/scancel.log`), "777\n");
    const root = `${await Deno.realPath(dir)}/run`;
    assert.equal(
      await Deno.readTextFile(`${dir}/run_chain.txt`),
      `link\t1\t4242\t${root}\nnext\t777\ncancelled\t777\n`,
    );
    assert.equal((await disbatch(["--wait", "run"], { cwd: dir })).code, 0);
  });
});

Deno.test("--chain usage errors: outside Slurm without --sbatch, without --drain-before, with -R", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\n");
    for (
      const [args, message] of [
        [
          ["--drain-before", "60", "--chain"],
          "argument --chain: not in a Slurm job (SLURM_JOB_ID is not set); use it in a job's script or with --sbatch",
        ],
        [
          ["--chain"],
          "argument --chain: needs --drain-before SECONDS (when to submit the next job)",
        ],
        [
          ["--drain-before", "60", "--chain", "-R"],
          "argument --chain: not allowed with -R/--retry (each link would run again the tasks that failed for good in earlier links)",
        ],
        [["--chain-max", "2"], "argument --chain-max: needs --chain"],
      ] as const
    ) {
      const r = await disbatch([...args, "Tasks"], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split("\n")[0], `disbatch: error: ${message}`);
    }
  });
});
