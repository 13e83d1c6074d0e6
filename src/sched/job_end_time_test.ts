import assert from "node:assert/strict";
import {
  type CommandResult,
  JobEndError,
  parseSlurmTime,
  readJobEnd,
  scontrolEndTime,
} from "./job_end_time.ts";

const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;

/** A runner that answers from a table and records what it was asked. */
function runner(answers: Record<string, CommandResult | Error>) {
  const calls: string[] = [];
  const run = (cmd: string, args: string[]) => {
    const key = [cmd, ...args].join(" ");
    calls.push(key);
    const a = answers[cmd];
    if (a === undefined) return Promise.reject(new Error(`${cmd}: not found`));
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  };
  return { run, calls };
}

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });
const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseSlurmTime: local time stamps; Slurm's words for none are null", () => {
  assert.equal(parseSlurmTime("2026-12-04T16:58:52\n"), local(2026, 12, 4, 16, 58, 52));
  for (const none of ["N/A", "Unknown", "NONE", "", "UNLIMITED"]) {
    assert.equal(parseSlurmTime(none), null, none);
  }
  assert.throws(() => parseSlurmTime("16:58"), JobEndError);
  assert.throws(() => parseSlurmTime("2026-12-04 16:58:52"), /not a Slurm time: "2026-12-04/);
});

Deno.test("scontrolEndTime: the EndTime= field, not StartTime= or a later field", () => {
  const text = "JobId=7 JobName=wrap\n   RunTime=00:00:05 TimeLimit=00:01:00 TimeMin=N/A\n" +
    "   StartTime=2026-12-04T16:57:52 EndTime=2026-12-04T16:58:52 Deadline=N/A\n";
  assert.equal(scontrolEndTime(text), local(2026, 12, 4, 16, 58, 52));
  assert.equal(scontrolEndTime("   StartTime=2026-12-04T16:57:52 EndTime=Unknown\n"), null);
  assert.throws(() => scontrolEndTime("JobId=7"), /no EndTime=/);
});

Deno.test("readJobEnd: SLURM_JOB_END_TIME first, unless a fresh reading is asked for", async () => {
  const { run, calls } = runner({ squeue: ok("2026-12-04T17:00:00\n") });
  const e = env({ SLURM_JOB_ID: "7", SLURM_JOB_END_TIME: "1796403532" });
  assert.deepEqual(await readJobEnd(e, run), { end: 1796403532, source: "SLURM_JOB_END_TIME" });
  assert.deepEqual(calls, []);
  assert.deepEqual(await readJobEnd(e, run, true), {
    end: local(2026, 12, 4, 17, 0, 0),
    source: "squeue",
  });
  assert.deepEqual(calls, ["squeue -h -j 7 -o %e"]);
});

Deno.test("readJobEnd: squeue, then scontrol when squeue fails, then the variable", async () => {
  const failing = { code: 1, stdout: "", stderr: "slurm_load_jobs error: Invalid job id\n" };
  const scontrol = ok("JobId=8\n   StartTime=2026-12-04T16:00:00 EndTime=2026-12-04T18:00:00\n");
  const a = runner({ squeue: failing, scontrol });
  assert.deepEqual(await readJobEnd(env({ SLURM_JOBID: "8" }), a.run), {
    end: local(2026, 12, 4, 18, 0, 0),
    source: "scontrol",
  });
  assert.deepEqual(a.calls, ["squeue -h -j 8 -o %e", "scontrol show job 8"]);

  const b = runner({ squeue: ok(""), scontrol: new Error("scontrol: not found") });
  const e = env({ SLURM_JOB_ID: "9", SLURM_JOB_END_TIME: "1796400000" });
  assert.deepEqual(await readJobEnd(e, b.run, true), {
    end: 1796400000,
    source: "SLURM_JOB_END_TIME",
  });
  await assert.rejects(
    readJobEnd(env({ SLURM_JOB_ID: "9" }), b.run),
    (err: Error) =>
      err instanceof JobEndError &&
      err.message === "cannot read the end time of job 9: squeue does not list job 9; " +
          "scontrol: scontrol: not found",
  );
  const c = runner({ squeue: failing, scontrol: failing });
  await assert.rejects(
    readJobEnd(env({ SLURM_JOB_ID: "9" }), c.run),
    /squeue exited with 1: slurm_load_jobs error: Invalid job id; scontrol exited with 1/,
  );
});

Deno.test("readJobEnd: no limit is null; outside a job it is an error", async () => {
  const { run } = runner({ squeue: ok("N/A\n") });
  assert.deepEqual(await readJobEnd(env({ SLURM_JOB_ID: "7" }), run), {
    end: null,
    source: "squeue",
  });
  await assert.rejects(readJobEnd(env({}), run), /not in a Slurm job/);
});
