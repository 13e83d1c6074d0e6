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
      'echo quick\nsleep "$LONG"; echo one\nsleep "$LONG"; echo two\n',
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
