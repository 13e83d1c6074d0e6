/**
 * Execution resources and contexts (spec §3, §6.3, §8, §9.3, §9.7, §9.9; T37a–b, T39–T48):
 * host lists, cylinder and core arithmetic, setup failures of the context, labels, retire
 * commands, `-E`, `-S` with `P_dbUtil.sh`, and `-C`.
 */
import assert from "node:assert/strict";
import {
  listDir,
  type RunResult,
  sortedProjection,
  splitStatus,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";
import {
  envWithout,
  exists,
  resultWithin,
  startDisbatch,
  type StartOptions,
  startProgram,
  waitFor,
} from "./background_run.ts";

const HOST = Deno.hostname();

/** Runs disbatch to completion, failing (instead of hanging) after `ms`. */
async function run(
  args: string[],
  opts: StartOptions,
  ms = 20_000,
  input?: string,
): Promise<RunResult> {
  const started = startDisbatch(args, opts);
  if (input !== undefined) {
    await started.write(input);
    await started.closeStdin();
  }
  return await resultWithin(started, ms);
}

/** Runs `n` copies of `sleep S; echo <vars>` and returns the status fields of each. */
async function sleepers(
  dir: string,
  name: string,
  n: number,
  args: string[],
  opts: Partial<StartOptions> = {},
  echo = "$DISBATCH_CYLINDER_RANK $DISBATCH_CORES_PER_TASK $DISBATCH_ENGINE_RANK",
): Promise<{ r: RunResult; fields: string[][]; outputs: string[][] }> {
  await writeTasks(`${dir}/${name}`, `sleep 0.5; echo ${echo}\n`.repeat(n));
  const r = await run([...args, "-p", `${name}_run`, name], { cwd: dir, ...opts });
  const fields = r.code === 0 ? (await statusLines(`${dir}/${name}_run`)).map(splitStatus) : [];
  const outputs = fields.map((f) => f[11].replace(/^'|\\n'$/g, "").split(" "));
  return { r, fields, outputs };
}

/** How many tasks started before the first one finished. */
function concurrent(fields: string[][]): number {
  const firstFinish = Math.min(...fields.map((f) => Number(f[9])));
  return fields.filter((f) => Number(f[8]) < firstFinish).length;
}

function range(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

Deno.test("T37a-b -p forms: an existing directory, and a directory/name prefix", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/outdir`);
    await writeTasks(`${dir}/Tasks`, "echo $DISBATCH_JOBID\n");
    const a = await run(["-s", "localhost:1", "-p", "outdir", "Tasks"], { cwd: dir });
    assert.equal(a.code, 0, a.stderr);
    const names = await listDir(`${dir}/outdir`);
    assert.ok(names.length > 0);
    assert.ok(names.every((n) => /^Tasks_disBatch_[0-9]{12}_[0-9]{3}_/.test(n)), `${names}`);
    const jobId = names.find((n) => n.endsWith("_status.txt"))!.slice(0, -11);
    assert.equal(
      splitStatus((await statusLines(`${dir}/outdir/${jobId}`))[0])[11],
      `'${jobId}\\n'`,
    );
    const b = await run(["-s", "localhost:1", "-p", "outdir/myrun", "Tasks"], { cwd: dir });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(splitStatus((await statusLines(`${dir}/outdir/myrun`))[0])[11], "'myrun\\n'");
    assert.deepEqual(await listDir(dir), ["Tasks", "outdir"], "nothing in the cwd");
  });
});

Deno.test("T39 a host listed twice is one engine with the cores summed (-s and env)", async () => {
  await withTempDir(async (dir) => {
    const [viaArgs, viaEnv] = await Promise.all([
      sleepers(dir, "A", 3, ["-s", "localhost:1", "-s", "localhost:2"]),
      sleepers(dir, "B", 3, [], {
        env: { ...envWithout("SLURM_JOBID"), DISBATCH_SSH_NODELIST: "localhost:1, localhost:2" },
        clearEnv: true,
      }),
    ]);
    for (const [name, s] of [["-s", viaArgs], ["DISBATCH_SSH_NODELIST", viaEnv]] as const) {
      assert.equal(s.r.code, 0, `${name}: ${s.r.stderr}`);
      assert.deepEqual(s.outputs.map((o) => o[0]).sort(), ["0", "1", "2"], name);
      assert.deepEqual(s.outputs.map((o) => o[2]), ["0", "0", "0"], `${name}: one engine`);
      assert.equal(concurrent(s.fields), 3, `${name}: all three ran at once`);
      assert.ok(s.fields.every((f) => f[4] === HOST));
    }
    const engineLogs = (await listDir(dir)).filter((n) => /_engine_\d+\.log$/.test(n));
    assert.deepEqual(engineLogs.sort(), [
      `A_run_SSH0_${HOST}_engine_0.log`,
      `B_run_SSH0_${HOST}_engine_0.log`,
    ]);
  });
});

Deno.test("T40 cylinders and cores per task for -c and -t (Python float floor division)", async () => {
  await withTempDir(async (dir) => {
    const shapes: [string, string[], number, string][] = [
      ["c2", ["-s", "localhost:5", "-c", "2"], 2, "2"],
      ["chalf", ["-s", "localhost:5", "-c", "0.5"], 10, "0"],
      ["t3", ["-s", "localhost:5", "-t", "3"], 3, "1"],
      ["ctenth", ["-s", "localhost:1", "-c", "0.1"], 9, "0"],
    ];
    // One task more than cylinders: a rank beyond the last would show up. All runs end
    // before anything is checked.
    const runs = await Promise.all(
      shapes.map(([name, args, cylinders]) => sleepers(dir, name, cylinders + 1, args)),
    );
    runs.forEach((s, i) => {
      const [name, , cylinders, cores] = shapes[i];
      assert.equal(s.r.code, 0, `${name}: ${s.r.stderr}`);
      assert.deepEqual([...new Set(s.outputs.map((o) => o[0]))].sort(), range(cylinders).sort());
      assert.ok(s.outputs.every((o) => o[1] === cores), `${name}: cores ${cores}`);
      assert.equal(concurrent(s.fields), cylinders, `${name}: ${cylinders} at once`);
    });
  });
});

Deno.test("T41 no viable engines: exit 1 at once with a message, no task runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    const t0 = Date.now();
    const r = await run(["-s", "localhost:1", "-c", "2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.ok(Date.now() - t0 < 5_000, "not after a 30 s tick");
    assert.match(r.stderr, /No viable engines/);
    assert.ok(!(await exists(`${dir}/RAN`)));
    assert.deepEqual(await statusLines(`${dir}/run`), []);
  });
});

Deno.test("T42 no execution environment: exit 1, the original's message and a hint, before anything runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    const r = await run(["-p", "run", "Tasks"], {
      cwd: dir,
      env: envWithout("DISBATCH_SSH_NODELIST", "SLURM_JOBID"),
      clearEnv: true,
    });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "disbatch: error: Cannot determine batch execution environment. Give hosts with -s " +
        "(e.g. -s localhost:4 for 4 slots here), run inside a Slurm allocation, or set " +
        "DISBATCH_SSH_NODELIST.\n",
    );
    assert.deepEqual(await listDir(dir), ["Tasks"]);
  });
});

Deno.test("T43 a malformed host item: a usage error (exit 2) naming it, before anything runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    for (const item of ["localhost", "localhost:two"]) {
      const r = await run(["-s", item, "-p", "run", "Tasks"], { cwd: dir });
      assert.equal(r.code, 2, item);
      assert.match(r.stderr, /^disbatch: error: argument -s\/--ssh-node: invalid value: /);
      assert.equal(r.stderr.split("\n").length, 4, r.stderr);
      assert.deepEqual(await listDir(dir), ["Tasks"]);
    }
  });
});

Deno.test("T44 -l names the context and engine files", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo x\n");
    const r = await run(["-s", "localhost:2", "-l", "mylab", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const names = await listDir(dir);
    for (
      const f of [
        "run_mylab.context.log",
        `run_mylab_${HOST}_engine_0.log`,
        `run_mylab_${HOST}_engine_wrap.log`,
      ]
    ) assert.ok(names.includes(f), `${f} in ${names}`);
    assert.ok(!names.some((n) => n.includes("SSH0")));
  });
});

Deno.test("T45 the retire command sees NODES, RETCODES, ACTIVE, RETIRED", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo x\n");
    // As in the original, whose context P_dbUtil.sh started: the script's export is there too.
    const cmd =
      'env | grep -E "^(NODES|RETCODES|ACTIVE|RETIRED|DRIVER_NODE|DISBATCH_LOGLEVEL)=" | sort > retired.txt; printenv DISBATCH_KVSSTCP_HOST > kvs.txt';
    const r = await run(["-s", "localhost:2", "--retire-cmd", cmd, "-p", "run", "Tasks"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/retired.txt`),
      `ACTIVE=\nNODES=${HOST}\nRETCODES=0\nRETIRED=${HOST}\n`,
    );
    const script = await Deno.readTextFile(`${dir}/run_dbUtil.sh`);
    const exported = /^export DISBATCH_KVSSTCP_HOST=(.*)$/m.exec(script)![1].replace(/'/g, "");
    assert.match(exported, /^[0-9.]+:[0-9]+$/);
    assert.equal(await Deno.readTextFile(`${dir}/kvs.txt`), `${exported}\n`);
  });
});

Deno.test("T46 -E hands each cylinder its value; -g prints the deprecation", async () => {
  await withTempDir(async (dir) => {
    const env = { MYRES: "a,b,c" };
    const s = await sleepers(
      dir,
      "E",
      2,
      ["-s", "localhost:2", "-E", "MYRES", "-g"],
      { env },
      "$MYRES $DISBATCH_CYLINDER_RANK",
    );
    assert.equal(s.r.code, 0, s.r.stderr);
    assert.equal(
      s.r.stderr,
      "-g/--gpu is deprecated. It is no longer needed and will be ignored.\n",
    );
    assert.deepEqual(s.outputs.map((o) => o.join(" ")).sort(), ["a 0", "b 1"]);
    // Fewer values than cylinders: the engine runs only as many cylinders, and nothing hangs.
    await writeTasks(
      `${dir}/F`,
      "#DISBATCH PERENGINE START echo pe $MYRES\n" +
        "sleep 0.2; echo $MYRES $DISBATCH_CYLINDER_RANK\n".repeat(2),
    );
    const few = await run(["-s", "localhost:2", "-E", "MYRES", "-p", "few", "F"], {
      cwd: dir,
      env: { MYRES: "z" },
    });
    assert.equal(few.code, 0, few.stderr);
    assert.deepEqual(
      sortedProjection(await statusLines(`${dir}/few`)).map((l) => l.split("|")[6]),
      [
        "'z 0\\n'",
        "'pe z\\n'",
        "'z 0\\n'",
      ],
    );
  });
});

Deno.test("T47 -S then P_dbUtil.sh -s localhost:2 -l extra runs everything; both exit 0", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.realPath(dir);
    await writeTasks(`${dir}/Tasks`, "touch T0\ntouch T1\ntouch T2\n");
    const driver = startDisbatch(["-S", "-p", "run", "Tasks"], { cwd: dir });
    try {
      await waitFor("the helper script", () => exists(`${dir}/run_dbUtil.sh`));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await listDir(dir), [
        "Tasks",
        "run_dbUtil.sh",
        "run_driver.log",
        "run_status.txt",
      ], "no context yet");
      const extra = await resultWithin(
        startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:2", "-l", "extra"], { cwd: dir }),
        20_000,
      );
      assert.equal(extra.code, 0, extra.stderr);
      const r = await resultWithin(driver, 5_000);
      assert.deepEqual(r, {
        code: 0,
        stdout: `Run this script to add compute contexts:\n   ${real}/run_dbUtil.sh\n`,
        stderr: "",
      });
      const names = await listDir(dir);
      for (
        const f of ["T0", "T1", "T2", "run_extra.context.log", `run_extra_${HOST}_engine_0.log`]
      ) {
        assert.ok(names.includes(f), `${f} in ${names}`);
      }
      assert.equal((await statusLines(`${dir}/run`)).length, 3);
    } finally {
      await resultWithin(driver, 5_000).catch(() => {});
    }
  });
});

Deno.test("P_dbUtil.sh after the run ended: a one-line refusal, no traceback", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo x\n");
    const r = await run(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const late = await resultWithin(
      startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:1"], { cwd: dir }),
      15_000,
    );
    if (late.code === 0) assert.equal(late.stderr, "Run done, context not registering.\n");
    else {
      assert.equal(late.code, 1);
      assert.match(late.stderr, /^disbatch: [^\n]+\n$/);
    }
    assert.equal((await statusLines(`${dir}/run`)).length, 1);
  });
});

Deno.test("SIGTERM to a -S driver waiting for contexts: exit 143 at once", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    const driver = startDisbatch(["-S", "-p", "run", "Tasks"], { cwd: dir });
    try {
      // The driver says so once it has read the first task (and printed its message).
      await waitFor(
        "the driver waiting for contexts",
        async () =>
          (await Deno.readTextFile(`${dir}/run_driver.log`).catch(() => "")).includes(
            "waiting for contexts",
          ),
      );
      driver.kill("SIGTERM");
      const r = await resultWithin(driver, 5_000);
      assert.equal(r.code, 143);
      assert.match(r.stdout, /^Run this script to add compute contexts:\n/);
      assert.ok(!(await exists(`${dir}/RAN`)));
    } finally {
      await resultWithin(driver, 5_000).catch(() => {});
    }
  });
});

Deno.test("T48 -C 2 on the only context: 2 tasks run, then exit 1 saying tasks did not run", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, [0, 1, 2, 3, 4].map((i) => `touch T${i}`).join("\n") + "\n");
    const r = await run(["-s", "localhost:1", "-C", "2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /task\(s\) did not run/);
    assert.deepEqual((await listDir(dir)).filter((n) => /^T\d$/.test(n)), ["T0", "T1"]);
    assert.equal((await statusLines(`${dir}/run`)).length, 2);
  });
});

Deno.test("T48 the message counts the tasks that did not run", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, [0, 1, 2, 3, 4].map((i) => `touch T${i}`).join("\n") + "\n");
    const r = await run(["-s", "localhost:1", "-C", "2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\b3 task\(s\) did not run/);
    // From a pipe the rest is unknown: a lower bound.
    const p = await run(
      ["-s", "localhost:1", "-C", "2", "-p", "pipe", "-"],
      {
        cwd: dir,
        stdin: "piped",
      },
      20_000,
      "touch P0\ntouch P1\ntouch P2\n",
    );
    assert.equal(p.code, 1);
    assert.match(p.stderr, /\bat least \d+ task\(s\) did not run/);
  });
});

Deno.test("-C given to a context added with P_dbUtil.sh limits that context too", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo $DISBATCH_TASKID\n".repeat(5));
    const driver = startDisbatch(["-S", "-p", "run", "Tasks"], { cwd: dir });
    await waitFor("the helper script", () => exists(`${dir}/run_dbUtil.sh`));
    const limited = await resultWithin(
      startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:1", "-C", "2", "-l", "two"], {
        cwd: dir,
      }),
      20_000,
    );
    assert.equal(limited.code, 0, limited.stderr);
    assert.equal((await statusLines(`${dir}/run`)).length, 2, "the limited context ran 2 tasks");
    const rest = await resultWithin(
      startProgram(`${dir}/run_dbUtil.sh`, ["-s", "localhost:1", "-l", "rest"], { cwd: dir }),
      20_000,
    );
    assert.equal(rest.code, 0, rest.stderr);
    const r = await resultWithin(driver, 20_000);
    assert.equal(r.code, 0, r.stderr);
    const ids = (await statusLines(`${dir}/run`)).map((l) => Number(splitStatus(l)[1]));
    assert.deepEqual(ids.sort((a, b) => a - b), [0, 1, 2, 3, 4]);
  });
});
