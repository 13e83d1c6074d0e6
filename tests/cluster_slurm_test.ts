/**
 * The Slurm context on the lab's real 3-node Slurm 22.05 cluster (scripts/LAB.md): runs inside
 * `sbatch` jobs, engines as srun steps on n1..n3, slot counts checked against what really ran
 * concurrently, node retirement seen by squeue, srun failures, `disbatch --sbatch`.
 */
import assert from "node:assert/strict";
import { disbatch, findOne, LAUNCHER, statusLines, writeTasks } from "./helpers.ts";
import { labTest, maxConcurrent, sbatch, SLURM_LAB, taskRuns, waitJob } from "./cluster_lab.ts";
import { peak, records, setUp, sharedGpus, times } from "./task_records.ts";
import { UNPLACEABLE_RC } from "../src/status/task_record.ts";

/** `n` copies of `line`. */
function tasks(n: number, line: string): string {
  return `${line}\n`.repeat(n);
}

/** Submits `--wrap script` in `dir`, waits for the job; returns its id and output. */
async function job(
  dir: string,
  options: string[],
  script: string,
  onPoll?: (state: string, nodes: string) => void,
): Promise<{ id: string; out: string }> {
  const id = await sbatch([...options, "-o", `${dir}/slurm-%j.out`, "--wrap", script], dir);
  await waitJob(id, 90_000, onPoll);
  const out = await Deno.readTextFile(`${dir}/slurm-${id}.out`);
  return { id, out };
}

labTest({
  name: "sbatch -N 3 -n 6: engines on all three nodes run every task",
  labs: [SLURM_LAB],
  async fn(dir) {
    await writeTasks(
      `${dir}/Tasks`,
      tasks(12, "sleep 2; echo $(hostname) $DISBATCH_CYLINDER_RANK $SLURM_CPU_BIND_TYPE"),
    );
    const { id, out } = await job(dir, ["-N", "3", "-n", "6"], `${LAUNCHER} -p run Tasks`);
    assert.equal(out.includes("disbatch:"), false, out);
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.equal(runs.length, 12);
    for (const r of runs) {
      assert.equal(r.rc, 0);
      assert.equal(r.out.split(" ")[0], r.node, "the Node field is where the task ran");
      // srun got SLURM_CPU_BIND=cores (it consumes SLURM_MPI_TYPE: tasks do not see it).
      assert.equal(r.out.split(" ")[2], "cores", "srun's CPU binding");
    }
    assert.deepEqual([...new Set(runs.map((r) => r.node))].sort(), ["n1", "n2", "n3"]);
    // SLURM_TASKS_PER_NODE=4,1(x2): 4 cylinders on n1, 1 on n2 and n3. How the tasks spread
    // is the scheduler's choice; no node may run more at once than it has cylinders.
    for (const [node, cyl] of [["n1", 4], ["n2", 1], ["n3", 1]] as const) {
      const on = runs.filter((r) => r.node === node);
      assert.ok(maxConcurrent(on) <= cyl, `${node} ran more than ${cyl} tasks at once`);
      assert.ok(on.every((r) => Number(r.out.split(" ")[1]) < cyl), `${node} cylinder ranks`);
    }
    const log = await Deno.readTextFile(`${dir}/run_J${id}.context.log`);
    assert.match(log, /srun --overlap --mem=0 -N 1 -n 1 -c 4 -w n1 /);
    assert.match(log, /srun --overlap --mem=0 -N 1 -n 1 -c 1 -w n3 /);
    await findOne(dir, new RegExp(`^run_J${id}_n2_engine_wrap\\.log$`));
    // The default retire command ran in a private directory: no resize scripts here.
    assert.equal(
      (await Array.fromAsync(Deno.readDir(dir))).some((e) => /resize/.test(e.name)),
      false,
    );
  },
});

labTest({
  name: "-c, -t and --fill: cylinders and cores as the engines really ran them",
  labs: [SLURM_LAB],
  async fn(dir) {
    // One node, 2 Slurm tasks, all 4 CPUs: SLURM_TASKS_PER_NODE=2, SLURM_JOB_CPUS_PER_NODE=4.
    const cases: {
      name: string;
      args: string;
      env?: string;
      cyl: number;
      cores: number;
      step: number;
    }[] = [
      { name: "default", args: "", cyl: 2, cores: 2, step: 2 },
      { name: "c3", args: "-c 3", cyl: 1, cores: 3, step: 3 },
      { name: "t3", args: "-t 3", cyl: 3, cores: 1, step: 3 },
      { name: "fill", args: "--fill", cyl: 4, cores: 1, step: 4 },
      { name: "half", args: "--fill -c 0.5", cyl: 8, cores: 0, step: 4 },
      {
        name: "warn",
        env: "SLURM_CPUS_PER_TASK=2 SLURM_NTASKS_PER_NODE=4",
        args: "-c 3 -t 2 --no-retire",
        cyl: 2,
        cores: 3,
        step: 4,
      },
    ];
    let script = "";
    for (const c of cases) {
      await writeTasks(
        `${dir}/T_${c.name}`,
        tasks(2 * c.cyl, "sleep 0.7; echo $DISBATCH_CYLINDER_RANK $DISBATCH_CORES_PER_TASK"),
      );
      script += `${c.env ?? ""} ${LAUNCHER} ${c.args} -p ${c.name} T_${c.name} 2>${c.name}.err; `;
    }
    const { id } = await job(dir, ["-N", "1", "-w", "n1", "-n", "2", "--exclusive"], script);
    for (const c of cases) {
      const runs = taskRuns(await statusLines(`${dir}/${c.name}`));
      assert.equal(runs.length, 2 * c.cyl, c.name);
      assert.equal(maxConcurrent(runs), c.cyl, `${c.name}: tasks running at once`);
      const ranks = new Set(runs.map((r) => Number(r.out.split(" ")[0])));
      assert.deepEqual([...ranks].sort((a, b) => a - b), [...Array(c.cyl).keys()], c.name);
      assert.ok(runs.every((r) => r.out.split(" ")[1] === String(c.cores)), c.name);
      const log = await Deno.readTextFile(`${dir}/${c.name}_J${id}.context.log`);
      assert.match(log, new RegExp(`srun .* -c ${c.step} -w n1 `), c.name);
    }
    const warn = await Deno.readTextFile(`${dir}/warn.err`);
    assert.match(
      warn,
      /^UserWarning: disBatch argument cpusPerTask \(3\.0\) conflicts with SLURM_CPUS_PER_TASK \(2\)\. Using disBatch value\.$/m,
    );
    assert.match(
      warn,
      /^UserWarning: disBatch argument tasksPerNode \(2\) conflicts with SLURM_NTASKS_PER_NODE \(4\)\. Using disBatch value\.$/m,
    );
    assert.match(await Deno.readTextFile(`${dir}/warn_J${id}.context.log`), /no retire command/);
  },
});

labTest({
  name: "retirement: the job shrinks to the busy node while its long task runs",
  labs: [SLURM_LAB],
  async fn(dir) {
    // One 16-s task: the first engine to register runs it; the other two find nothing to do,
    // end, and are retired 10 s later while the task still runs.
    await writeTasks(`${dir}/Tasks`, "hostname > long.node; sleep 16\n");
    const seen: string[] = [];
    const { id } = await job(
      dir,
      ["-N", "3", "-n", "3"],
      `${LAUNCHER} -p run Tasks`,
      (state, nodes) => seen.push(`${state} ${nodes}`),
    );
    const long = (await Deno.readTextFile(`${dir}/long.node`)).trim();
    // n1, the batch node that hosts the driver and the context, is never released.
    const kept = { n1: "n1", n2: "n[1-2]", n3: "n[1,3]" }[long];
    assert.ok(kept, long);
    assert.ok(seen.includes("RUNNING n[1-3]"), String(seen));
    assert.ok(
      seen.includes(`RUNNING ${kept}`),
      `the running job never shrank to ${kept}: ${seen}`,
    );
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.deepEqual(runs.map((r) => [r.node, r.rc]), [[long, 0]]);
    const log = await Deno.readTextFile(`${dir}/run_J${id}.context.log`);
    const batches = [...log.matchAll(/retiring .*NODES=(\S+) .*ACTIVE=(\S*) /g)];
    assert.ok(batches.length >= 2, log);
    // The driver keeps its own node's idle engine as a spare while tasks run elsewhere.
    assert.deepEqual(batches[0][1].split(",").sort(), ["n2", "n3"].filter((n) => n !== long));
    assert.ok(batches[0][2].split(",").includes(long), "the busy node stays active");
  },
});

labTest({
  name: "srun failures: one line per node on stderr, and a quick exit 1 when none started",
  labs: [SLURM_LAB],
  async fn(dir) {
    await writeTasks(`${dir}/Tasks`, tasks(4, "echo $(hostname)"));
    await Deno.writeTextFile(`${dir}/opts`, "SLURM_CPU_BIND=bogus\n");
    const [all, one] = await Promise.all([
      job(
        dir,
        ["-N", "2", "-w", "n[1-2]", "-n", "2"],
        `t0=$(date +%s%N); DISBATCH_SLURM_SRUN_OPTIONS_FILE=opts ${LAUNCHER} -p all Tasks; ` +
          `echo exit=$? ms=$((($(date +%s%N) - t0) / 1000000))`,
      ),
      // The context believes n2 is allocated too: its srun is refused, n1 runs everything.
      job(
        dir,
        ["-N", "1", "-w", "n3", "-n", "2"],
        `SLURM_NODELIST=n[2-3] SLURM_JOB_CPUS_PER_NODE='2(x2)' SLURM_TASKS_PER_NODE='2(x2)' ` +
          `${LAUNCHER} -p one Tasks; echo exit=$?`,
      ),
    ]);
    for (const n of ["n1", "n2"]) {
      assert.match(
        all.out,
        new RegExp(`^disbatch: engine on ${n} failed \\(exit 1\\): srun: .*cpu-bind.*$`, "m"),
      );
    }
    const ms = Number(all.out.match(/^exit=1 ms=(\d+)$/m)?.[1]);
    assert.ok(ms < 20_000, `not after a 30 s tick: ${ms} ms: ${all.out}`);
    assert.match(
      one.out,
      /^disbatch: engine on n2 failed \(exit 1\): srun: error: Unable to create step for job \d+: .*$/m,
    );
    assert.match(one.out, /^exit=0$/m);
    const runs = taskRuns(await statusLines(`${dir}/one`));
    assert.deepEqual(runs.map((r) => r.node), ["n3", "n3", "n3", "n3"]);
  },
});

labTest({
  name: "disbatch --sbatch -N 2 -n 4 -- Tasks submits a job that completes the run",
  labs: [SLURM_LAB],
  async fn(dir) {
    await writeTasks(`${dir}/Tasks`, tasks(8, "sleep 0.5; hostname"));
    const { code, stdout, stderr } = await disbatch(
      ["--sbatch", "-N", "2", "-n", "4", "--", "Tasks"],
      { cwd: dir, env: { SLURM_CONF: SLURM_LAB!.SLURM_CONF } },
    );
    assert.equal(code, 0, stderr);
    const id = stdout.match(/^Submitted batch job (\d+)$/m)?.[1];
    assert.ok(id, stdout);
    await waitJob(id, 60_000);
    assert.equal(
      (await Deno.readTextFile(`${dir}/slurm-${id}.out`)).includes("disbatch:"),
      false,
    );
    const status = await findOne(dir, /^Tasks_disBatch_\d{12}_\d{3}_status\.txt$/);
    const runs = taskRuns(await statusLines(status.replace(/_status\.txt$/, "")));
    assert.equal(runs.length, 8);
    assert.ok(runs.every((r) => r.rc === 0 && r.out === r.node && ["n1", "n2"].includes(r.node)));
  },
});

labTest({
  name: "a job script with #SBATCH lines that runs disbatch (the README's second form)",
  labs: [SLURM_LAB],
  async fn(dir) {
    await writeTasks(`${dir}/Tasks`, tasks(6, "echo $(hostname)"));
    await Deno.writeTextFile(
      `${dir}/job.sh`,
      `#!/bin/bash\n#SBATCH -N 2\n#SBATCH -n 4\n#SBATCH -o ${dir}/job-%j.out\n${LAUNCHER} -p run Tasks\n`,
    );
    const id = await sbatch([`${dir}/job.sh`], dir);
    await waitJob(id, 90_000);
    const out = await Deno.readTextFile(`${dir}/job-${id}.out`);
    assert.equal(out.includes("disbatch:"), false, out);
    const runs = taskRuns(await statusLines(`${dir}/run`));
    assert.equal(runs.length, 6);
    assert.ok(runs.every((r) => r.rc === 0 && r.out === r.node));
  },
});

labTest({
  name: "#DISBATCH RESOURCES on three nodes: cores and -E GPU ids never oversubscribed, " +
    "no starving, an impossible request fails",
  labs: [SLURM_LAB],
  async fn(dir) {
    await setUp(dir, [
      "#DISBATCH RESOURCES cores=4",
      ...times(6, "./rec.sh 0.5"),
      "#DISBATCH RESOURCES default",
      ...times(12, "./rec.sh 0.3"),
      "#DISBATCH RESOURCES cores=2 gpus=2",
      ...times(6, "./rec.sh 0.4"),
      "#DISBATCH RESOURCES gpus=1 mem=100M",
      ...times(8, "./rec.sh 0.2"),
      "#DISBATCH RESOURCES cores=4",
      "./rec.sh 0.2",
      "#DISBATCH RESOURCES default",
      ...times(30, "./rec.sh 0.2"),
    ]);
    await writeTasks(`${dir}/T_imp`, "echo a\n#DISBATCH RESOURCES cores=5\necho big\n");
    // Four cylinders of one core on each node; the same four GPU ids on each (per node).
    const { out } = await job(
      dir,
      ["-N", "3", "--ntasks-per-node=4"],
      `export MY_GPUS=0,1,2,3; ${LAUNCHER} -E MY_GPUS -p mixed tasks; ` +
        `${LAUNCHER} -e -p imp T_imp 2>imp.err; echo "rc=$?" >imp.rc`,
    );
    assert.equal(out.includes("disbatch:"), false, out);
    const recs = await records(dir);
    assert.equal(recs.size, 63);
    const asked = (id: number) =>
      id < 6
        ? [4, 0]
        : id < 18
        ? [1, 1]
        : id < 24
        ? [2, 2]
        : id < 32
        ? [1, 1]
        : id === 32
        ? [4, 0]
        : [1, 1];
    for (const r of recs.values()) {
      const [cores, gpus] = asked(r.id);
      assert.deepEqual([r.cores, r.gpus.length], [cores, gpus], `task ${r.id} on ${r.host}`);
    }
    assert.deepEqual([...new Set([...recs.values()].map((r) => r.host))].sort(), [
      "n1",
      "n2",
      "n3",
    ]);
    for (const node of ["n1", "n2", "n3"]) {
      const on = [...recs.values()].filter((r) => r.host === node);
      const most = peak(on, (r) => asked(r.id)[0]);
      assert.ok(most <= 4, `${node}: ${most} cores in use at once`);
    }
    assert.deepEqual(sharedGpus(recs.values()), []);
    // The 4-core task after the stream of small ones: nothing after it took its node first.
    const big = recs.get(32)!;
    const first = [...recs.values()].filter((r) =>
      r.id > 32 && r.host === big.host && r.start < big.start
    );
    assert.deepEqual(first.map((r) => r.id), []);

    assert.equal((await Deno.readTextFile(`${dir}/imp.rc`)).trim(), "rc=1");
    assert.match(
      await Deno.readTextFile(`${dir}/imp.err`),
      /task 1 \(line 3\) asks for cores=5 gpus=0 mem=0M, more than any engine has \(engines have at most cores=4 /,
    );
    const imp = taskRuns(await statusLines(`${dir}/imp`));
    assert.deepEqual(imp.map((r) => [r.id, r.rc]).sort(), [[0, 0], [1, UNPLACEABLE_RC]]);
  },
});
