import assert from "node:assert/strict";
import type { RunOutcome } from "../driver/driver.ts";
import type { CommandResult } from "../sched/job_end_time.ts";
import { parseChain } from "../protocol/chain_file.ts";
import { ChainLinker, continuationArgv, jobSbatchWords } from "./chain.ts";

Deno.test("jobSbatchWords: the job's shape from SLURM_* and its time limit", () => {
  const env: Record<string, string> = {
    SLURM_JOB_NUM_NODES: "2",
    SLURM_NTASKS: "8",
    SLURM_JOB_PARTITION: "gen",
    SLURM_JOB_NAME: "big run",
  };
  assert.deepEqual(jobSbatchWords((n) => env[n], "1-00:00:00\n"), [
    "--nodes=2",
    "--ntasks=8",
    "--partition=gen",
    "--job-name=big run",
    "--time=1-00:00:00",
  ]);
  assert.deepEqual(jobSbatchWords(() => undefined, "UNLIMITED"), []);
  assert.deepEqual(continuationArgv(["-N", "2"], "41", "disbatch --link-of /p T"), [
    "-N",
    "2",
    "--parsable",
    "--dependency=afterany:41",
    "--wrap",
    "disbatch --link-of /p T",
  ]);
});

/** A linker over a temporary chain file and a fake sbatch/scancel. */
async function linker(opts: { max?: number; sbatch?: CommandResult } = {}) {
  const dir = await Deno.makeTempDir();
  const calls: string[] = [];
  const warnings: string[] = [];
  const l = new ChainLinker({
    root: `${dir}/P`,
    link: { n: 2, jobId: "40", prefix: `${dir}/P_link2` },
    max: opts.max ?? null,
    words: () => Promise.resolve(["-t", "1"]),
    command: "disbatch --link-of P T",
    run: (cmd, args) => {
      calls.push([cmd, ...args].join(" "));
      return Promise.resolve(
        cmd === "sbatch" ? opts.sbatch ?? { code: 0, stdout: "41;lab\n", stderr: "" } : {
          code: 0,
          stdout: "",
          stderr: "",
        },
      );
    },
    log: { info: () => {}, warn: (m) => warnings.push(m) },
  });
  const chain = async () => parseChain(await Deno.readTextFile(`${dir}/P_chain.txt`));
  return { l, calls, warnings, chain, dir };
}

const left: RunOutcome = {
  failures: 0,
  normalTasks: 3,
  stoppedBy: "walltime",
  unrun: 1,
  resumable: true,
};

Deno.test("ChainLinker: submits once at the drain, keeps the job when work is left", async () => {
  const { l, calls, chain, dir } = await linker();
  l.start();
  l.submit();
  l.submit();
  assert.deepEqual(await l.finish(left, 2), { next: "41", prefix: `${dir}/P_link3` });
  assert.deepEqual(calls, [
    "sbatch -t 1 --parsable --dependency=afterany:40 --wrap disbatch --link-of P T",
  ]);
  assert.deepEqual(await chain(), {
    links: [{ n: 2, jobId: "40", prefix: `${dir}/P_link2` }],
    next: "41",
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ChainLinker: cancels the job of a complete link, or of one that finished nothing", async () => {
  for (
    const [outcome, finished, said] of [
      [{ ...left, stoppedBy: null, resumable: undefined, unrun: 0 }, 3, null],
      [{ ...left, stoppedBy: "check", resumable: undefined }, 3, null],
      [left, 0, { why: "this job finished no task, so the chain stops" }],
    ] as const
  ) {
    const { l, calls, chain, dir } = await linker();
    l.start();
    l.submit();
    assert.deepEqual(await l.finish(outcome as RunOutcome, finished), said);
    assert.equal(calls[1], "scancel 41");
    assert.equal((await chain()).next, null);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ChainLinker: --chain-max and a failing sbatch leave no next job, and say why", async () => {
  const atMax = await linker({ max: 2 });
  atMax.l.submit();
  assert.deepEqual(await atMax.l.finish(left, 1), {
    why: "the chain has 2 jobs, its --chain-max",
  });
  assert.deepEqual(atMax.calls, []);
  const failing = await linker({ sbatch: { code: 1, stdout: "", stderr: "sbatch: error: x\n" } });
  failing.l.submit();
  assert.deepEqual(await failing.l.finish(left, 1), {
    why: "cannot submit the next job: sbatch exited with 1: sbatch: error: x",
  });
  assert.deepEqual(failing.warnings, [
    "chain: cannot submit the next job: sbatch exited with 1: sbatch: error: x",
  ]);
  for (const d of [atMax.dir, failing.dir]) await Deno.remove(d, { recursive: true });
});
