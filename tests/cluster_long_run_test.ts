/**
 * Long runs on the lab's real Slurm 22.05 cluster (scripts/LAB.md): jobs of one minute (Slurm's
 * smallest limit: `-t 0:40` is rounded up to it), whose end time the driver reads with squeue
 * (22.05 sets no SLURM_JOB_END_TIME).
 */
import assert from "node:assert/strict";
import { LAUNCHER, statusLines, writeTasks } from "./helpers.ts";
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
