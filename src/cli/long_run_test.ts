import assert from "node:assert/strict";
import type { RunOutcome } from "../driver/driver.ts";
import { parseDriverArgs } from "./parse_args.ts";
import type { DriverOptions } from "./parse_args.ts";
import { wallAdvice, wallConfig, wallGrace } from "./long_run.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("wallGrace: 30 s unless DISBATCH_WALL_GRACE is a number >= 0", () => {
  assert.equal(wallGrace(env({})), 30);
  assert.equal(wallGrace(env({ DISBATCH_WALL_GRACE: "2.5" })), 2.5);
  for (const bad of ["-1", "soon", "inf"]) {
    assert.equal(wallGrace(env({ DISBATCH_WALL_GRACE: bad })), 30, bad);
  }
});

Deno.test("wallConfig: only with --drain-before, only in a Slurm job; reads the job's end", async () => {
  const o = parseDriverArgs(["--drain-before", "90", "T"]) as DriverOptions;
  assert.equal(
    wallConfig(parseDriverArgs(["T"]) as DriverOptions, env({ SLURM_JOB_ID: "7" })),
    null,
  );
  assert.equal(wallConfig(o, env({})), null, "outside a job: nothing to drain before");
  const run = () => Promise.resolve({ code: 0, stdout: "N/A\n", stderr: "" });
  const w = wallConfig(o, env({ SLURM_JOB_ID: "7", SLURM_JOB_END_TIME: "1000" }), run)!;
  assert.deepEqual(w.settings, { drainBefore: 90, grace: 30, refreshEvery: 60 });
  assert.equal(await w.readEnd(false), 1000);
  assert.equal(await w.readEnd(true), null, "a fresh reading asks squeue");
});

Deno.test("wallAdvice: what is left, and the command or the next job", () => {
  const o: RunOutcome = {
    failures: 0,
    normalTasks: 4,
    stoppedBy: "walltime",
    unrun: 1,
    resumable: true,
    wallStopped: 2,
  };
  const head = "disbatch: the Slurm job's time limit is near: 6 task(s) left (2 stopped at the " +
    "job's end); ";
  assert.deepEqual(wallAdvice(o, 3, "disbatch --link-of /p T"), [
    `${head}this run is incomplete, resume it with:`,
    "   disbatch --link-of /p T",
  ]);
  assert.deepEqual(wallAdvice(o, 3, "c", { next: "41", prefix: "/p_link2" }), [
    `${head}the run goes on in job 41 (prefix /p_link2)`,
  ]);
  assert.equal(wallAdvice(o, 3, "c", { why: "w" })[2], "disbatch: --chain: no next job: w");
});
