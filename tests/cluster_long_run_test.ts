/**
 * Long runs on the lab's real Slurm 22.05 cluster (scripts/LAB.md): jobs of one minute (Slurm's
 * smallest limit: `-t 0:40` is rounded up to it), whose end time the driver reads with squeue
 * (22.05 sets no SLURM_JOB_END_TIME).
 */
import assert from "node:assert/strict";
import { disbatch, LAUNCHER, statusLines, writeTasks } from "./helpers.ts";
import { exists, waitFor } from "./background_run.ts";
import { labTest, sbatch, SLURM_LAB, taskRuns, waitJob } from "./cluster_lab.ts";

/** Submits `--wrap script` in `dir`, waits for the job; returns its output. */
async function job(dir: string, options: string[], script: string): Promise<string> {
  const id = await sbatch([...options, "-o", `${dir}/slurm-%j.out`, "--wrap", script], dir);
  await waitJob(id, 120_000);
  return await Deno.readTextFile(`${dir}/slurm-${id}.out`);
}

labTest({
  name:
    "--drain-before in a 1-minute job: stopped at the grace, exit 75, the printed command finishes the run",
  labs: [SLURM_LAB],
  async fn(dir) {
    await writeTasks(
      `${dir}/Tasks`,
      'echo quick\nsleep "$LONG"; echo one\nsleep "$LONG"; echo two\necho late\n',
    );
    // Drain 40 s before the end (20 s in), stop 30 s before it: the two sleeps fill both slots.
    const out = await job(
      dir,
      ["-N", "1", "-n", "2", "-w", "n1", "-t", "1", "--export", "ALL,LONG=1000"],
      `${LAUNCHER} --drain-before 40 -p run Tasks; echo exit=$?`,
    );
    assert.match(out, /^exit=75$/m, out);
    assert.match(out, /: 3 task\(s\) left \(2 stopped at the job's end\); this run is incomplete/);
    const log = await Deno.readTextFile(`${dir}/run_driver.log`);
    assert.match(log, /the job's end time: /, "read with squeue");
    assert.match(log, /the job ends in \d+ s: draining/);
    const first = await statusLines(`${dir}/run`);
    assert.deepEqual(taskRuns(first).map((t) => t.out), ["quick"]);
    assert.deepEqual(
      first.map((l) => l.split("\t")).filter((f) => f[0][3] === "Z").map((f) => f[6]),
      ["-101", "-101"],
    );
    const command = out.match(/resume it with:\n {3}(.+)\n/)?.[1];
    assert.ok(command, out);
    const again = await job(
      dir,
      ["-N", "1", "-n", "2", "-w", "n1", "-t", "1", "--export", "ALL,LONG=0"],
      `${command}; echo exit=$?`,
    );
    assert.match(again, /^exit=0$/m, again);
    const second = await statusLines(`${dir}/run_link2`);
    assert.deepEqual(taskRuns(second).map((t) => t.out).sort(), ["late", "one", "two"]);
  },
});

labTest({
  name:
    "--sbatch -t 1 ... -- --drain-before 40 --chain: two jobs complete every task; --wait follows the chain",
  labs: [SLURM_LAB],
  async fn(dir) {
    // Task 1 outlasts the first job (it is stopped at the wall) and is quick in the second;
    // the BARRIER after it holds across the two jobs.
    await writeTasks(
      `${dir}/Tasks`,
      "echo first\n" +
        'case "$DISBATCH_JOBID" in *_link*) echo again;; *) sleep 1000;; esac\n' +
        "#DISBATCH BARRIER\necho after\n",
    );
    const env = { SLURM_CONF: SLURM_LAB!.SLURM_CONF };
    const sub = await disbatch(
      [
        ...["--sbatch", "-N", "1", "-n", "2", "-w", "n1", "-t", "1", "-o", `${dir}/slurm-%j.out`],
        ...["--", "--drain-before", "40", "--chain", "-p", "run", "Tasks"],
      ],
      { cwd: dir, env },
    );
    assert.equal(sub.code, 0, sub.stderr);
    const first = sub.stdout.match(/^Submitted batch job (\d+)$/m)?.[1];
    assert.ok(first, sub.stdout);
    // --wait needs the run to exist: the chain file appears once the first job's driver runs.
    await waitFor("the first job's driver", () => exists(`${dir}/run_chain.txt`), 60_000);
    const waited = await disbatch(["--wait", "run"], { cwd: dir, env });
    assert.equal(waited.code, 0, waited.stderr);
    const chain = (await Deno.readTextFile(`${dir}/run_chain.txt`)).split("\n");
    const second = chain[1].match(/^next\t(\d+)$/)?.[1];
    assert.ok(second, chain.join("\n"));
    assert.match(chain[2], new RegExp(`^link\t2\t${second}\t.*/run_link2$`));
    await waitJob(second, 30_000);
    const out1 = await Deno.readTextFile(`${dir}/slurm-${first}.out`);
    assert.match(out1, new RegExp(`the run goes on in job ${second} \\(prefix .*/run_link2\\)`));
    const link1 = await statusLines(`${dir}/run`);
    assert.deepEqual(taskRuns(link1).map((t) => t.out), ["first"]);
    const z = link1.map((l) => l.split("\t")).filter((f) => f[0][3] === "Z");
    assert.deepEqual(z.map((f) => [f[1], f[6]]), [["1", "-101"]]);
    const link2 = await statusLines(`${dir}/run_link2`);
    assert.ok(link2.some((l) => /^...S\t0\t/.test(l)), "first is skipped, not run twice");
    const runs = taskRuns(link2.filter((l) => !l.startsWith("B")));
    assert.deepEqual(runs.map((t) => t.out), ["again", "after"]);
    assert.ok(runs[1].start >= runs[0].finish, "the barrier held: after ran after again");
  },
});
