/**
 * Command-line and task-file errors (spec §1, §3, §4, §11, T14, T37c–d, T38): each is reported
 * before anything is created or run, with the decided exit code and message.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  listDir,
  type RunResult,
  sortedProjection,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";

/** Runs `args` in a fresh directory holding `files`; returns the result and what is left there. */
async function inFreshDir(
  args: string[],
  files: Record<string, string> = { Tasks: "touch RAN\n" },
  stdin?: string,
): Promise<{ r: RunResult; files: string[] }> {
  return await withTempDir(async (dir) => {
    for (const [name, text] of Object.entries(files)) {
      if (name.includes("/")) await Deno.mkdir(`${dir}/${name.replace(/\/[^/]*$/, "")}`);
      await writeTasks(`${dir}/${name}`, text);
    }
    const r = await disbatch(args, { cwd: dir, stdin });
    return { r, files: await listDir(dir) };
  });
}

/** A usage error: three lines (what is wrong, the one-line usage, the help hint), exit 2. */
function assertUsageError(r: RunResult, message: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `disbatch: error: ${message}\nusage: disbatch [options] TASKFILE\nTry 'disbatch --help'.\n`,
  );
}

Deno.test("T38a no arguments: usage error naming the required source, exit 2", async () => {
  const { r } = await inFreshDir([]);
  assertUsageError(
    r,
    "one of the arguments --taskcommand --taskserver taskfile --version is required",
  );
});

Deno.test("T38b an unopenable task file is a usage error; nothing is created", async () => {
  const missing = await inFreshDir(["-s", "localhost:1", "nonexist"]);
  assertUsageError(
    missing.r,
    "argument taskfile: can't open 'nonexist': [Errno 2] No such file or directory: 'nonexist'",
  );
  assert.deepEqual(missing.files, ["Tasks"]);
  const dir = await inFreshDir(["-s", "localhost:1", "sub"], { "sub/x": "" });
  assertUsageError(
    dir.r,
    "argument taskfile: can't open 'sub': [Errno 21] Is a directory: 'sub'",
  );
  assert.deepEqual(dir.files, ["sub"]);
});

Deno.test("T38c-d bad choice, bad float, bad int: exit 2", async () => {
  assertUsageError(
    (await inFreshDir(["--loglevel", "FOO", "Tasks"])).r,
    "argument --loglevel: invalid choice: 'FOO' (choose from 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG')",
  );
  assertUsageError(
    (await inFreshDir(["-c", "abc", "Tasks"])).r,
    "argument -c/--cpusPerTask: invalid float value: 'abc'",
  );
  assertUsageError(
    (await inFreshDir(["-t", "1.5", "Tasks"])).r,
    "argument -t/--tasksPerNode: invalid int value: '1.5'",
  );
});

Deno.test("T38e-f --mailFreq alone, -S with -s/--retire-cmd: the reason, exit 2 (no help dump)", async () => {
  const startupOnly = "argument -S/--startup-only: not allowed with -s/--ssh-node, " +
    "-E/--env-resource or --retire-cmd (-S starts no context; give them to P_dbUtil.sh)";
  const cases: [string[], string][] = [
    [["--mailFreq", "3", "Tasks"], "argument --mailFreq: needs --mailTo ADDR"],
    [["-S", "-s", "localhost:2", "Tasks"], startupOnly],
    [["-S", "--retire-cmd", "true", "Tasks"], startupOnly],
  ];
  const results = await Promise.all(cases.map(([args]) => inFreshDir(args)));
  results.forEach(({ r, files }, i) => {
    assertUsageError(r, cases[i][1]);
    assert.deepEqual(files, ["Tasks"]);
  });
});

Deno.test("15.4 out-of-range numbers and malformed hosts: option and value named, exit 2, nothing runs", async () => {
  const positive = "must be a finite number > 0";
  const host = (v: string) => `item '${v}' is not HOST:N (a host name and N >= 1 slots)`;
  const cases: [string[], string][] = [
    [["-c", "0"], `argument -c/--cpusPerTask: invalid value: '0' (${positive})`],
    [["-c", "-1"], `argument -c/--cpusPerTask: invalid value: '-1' (${positive})`],
    [["-c", "nan"], `argument -c/--cpusPerTask: invalid value: 'nan' (${positive})`],
    [["-t", "0"], "argument -t/--tasksPerNode: invalid value: '0' (must be an integer >= 1)"],
    [["-t", "-2"], "argument -t/--tasksPerNode: invalid value: '-2' (must be an integer >= 1)"],
    [
      ["-C", "-1"],
      "argument -C/--context-task-limit: invalid value: '-1' (must be an integer >= 0)",
    ],
    [
      ["--mailFreq", "0", "--mailTo", "a@b"],
      "argument --mailFreq: invalid value: '0' (must be an integer >= 1)",
    ],
    [["--retries", "-1"], "argument --retries: invalid value: '-1' (must be an integer >= 0)"],
    [["--timeout", "0"], `argument --timeout: invalid value: '0' (${positive})`],
    [
      ["-s", "localhost:0"],
      `argument -s/--ssh-node: invalid value: 'localhost:0' (${host("localhost:0")})`,
    ],
    [["-s", ":4"], `argument -s/--ssh-node: invalid value: ':4' (${host(":4")})`],
    [
      ["-s", "localhost2"],
      `argument -s/--ssh-node: invalid value: 'localhost2' (${host("localhost2")})`,
    ],
  ];
  const results = await Promise.all(cases.map(([args]) => inFreshDir([...args, "Tasks"])));
  results.forEach(({ r, files }, i) => {
    assertUsageError(r, cases[i][1]);
    assert.deepEqual(files, ["Tasks"], cases[i][0].join(" "));
  });
});

Deno.test("a malformed DISBATCH_SSH_NODELIST is a usage error before anything runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    const r = await disbatch(["Tasks"], {
      cwd: dir,
      env: { DISBATCH_SSH_NODELIST: "localhost:1,localhost2" },
    });
    assertUsageError(
      r,
      "DISBATCH_SSH_NODELIST: item 'localhost2' is not HOST:N (a host name and N >= 1 slots)",
    );
    assert.deepEqual(await listDir(dir), ["Tasks"]);
  });
});

Deno.test("typos: an unknown option is named with the closest one; a flag's stray value is explained", async () => {
  const [timout, retry] = await Promise.all([
    inFreshDir(["-s", "localhost:1", "--timout", "5", "Tasks"]),
    inFreshDir(["-s", "localhost:1", "--retry", "2", "Tasks"]),
  ]);
  assertUsageError(timout.r, "unrecognized option '--timout' (did you mean --timeout?)");
  assertUsageError(
    retry.r,
    "unrecognized arguments: Tasks ('2' was taken as the task file: --retry takes no value;" +
      " did you mean --retries 2?)",
  );
  assert.deepEqual([timout.files, retry.files], [["Tasks"], ["Tasks"]]);
});

Deno.test("the context role's usage errors name its script", async () => {
  const { r } = await inFreshDir(["--context", "/r/run_dbUtil.sh", "-t", "0"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "disbatch: error: argument -t/--tasksPerNode: invalid value: '0' (must be an integer >= 1)\n" +
      "usage: /r/run_dbUtil.sh [context options]\nTry '/r/run_dbUtil.sh --help'.\n",
  );
});

Deno.test("--submit's usage errors are the same three lines", async () => {
  const { r } = await inFreshDir(["--submit"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "disbatch: error: the run (PREFIX or P_dbUtil.sh) is missing\n" +
      "usage: disbatch --submit PREFIX|P_dbUtil.sh [--wait] [--end] [--file F | -] [LINE...]\n" +
      "Try 'disbatch --help'.\n",
  );
});

Deno.test("T38g-h --taskserver conflicts", async () => {
  const alone = await inFreshDir(["--taskserver", "h:1"]);
  assertUsageError(alone.r, "Cannot use different --kvsserver and --taskservers.");
  assertUsageError(
    (await inFreshDir(["--taskserver", "h:1", "Tasks"])).r,
    "argument taskfile: not allowed with argument --taskserver",
  );
});

Deno.test("T38i --version and -h exit 0 on stdout", async () => {
  const v = await inFreshDir(["--version"]);
  assert.equal(v.r.code, 0);
  // The bare version first (as disBatch prints it), then the runtime and how it runs (#14).
  assert.match(v.r.stdout, /^\d+\.\d+\.\d+\ndeno 2\.\d+\.\d+ .*\nrunning from source: \/.*\n$/);
  assert.equal(v.r.stderr, "");
  const h = await inFreshDir(["-h"]);
  assert.equal(h.r.code, 0);
  assert.match(h.r.stdout, /^usage: disbatch /);
  assert.match(h.r.stdout, /--lenient-directives/);
  assert.deepEqual(h.files, ["Tasks"]);
});

Deno.test("options of features not built yet are refused with exit 2; nothing runs", async () => {
  const cases: [string[], string][] = [
    [["--kvsserver", "h:1", "Tasks"], "--kvsserver"],
  ];
  // Every run ends before anything is checked, so a failure leaves no process behind.
  const results = await Promise.all(
    cases.map(([args]) => inFreshDir(["-s", "localhost:1", ...args])),
  );
  results.forEach(({ r, files }, i) => {
    assertUsageError(r, `${cases[i][1]} is not supported yet`);
    assert.deepEqual(files, ["Tasks"], cases[i][0].join(" "));
  });
});

Deno.test("an unwritable --logfile is a usage error; nothing runs", async () => {
  const missing = await inFreshDir(["-s", "localhost:1", "--logfile", "/nonexist/log", "Tasks"]);
  assertUsageError(
    missing.r,
    "argument --logfile: can't open '/nonexist/log': [Errno 2] No such file or directory: '/nonexist/log'",
  );
  assert.deepEqual(missing.files, ["Tasks"]);
  const dir = await inFreshDir(["-s", "localhost:1", "--logfile", "sub", "Tasks"], {
    Tasks: "touch RAN\n",
    "sub/x": "",
  });
  assertUsageError(dir.r, "argument --logfile: can't open 'sub': [Errno 21] Is a directory: 'sub'");
  assert.deepEqual(dir.files, ["Tasks", "sub"]);
});

Deno.test("T37c-d a -p naming a missing directory: exit 1, message, nothing created", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.realPath(dir);
    await writeTasks(`${dir}/Tasks`, "touch RAN\n");
    const slash = await disbatch(["-s", "localhost:1", "-p", "newdir/", "Tasks"], { cwd: dir });
    assert.equal(slash.code, 1);
    assert.equal(slash.stderr, `Directory ${real}/newdir does not exist.\n`);
    const deep = await disbatch(["-s", "localhost:1", "-p", "/nonexist/x", "Tasks"], { cwd: dir });
    assert.equal(deep.code, 1);
    assert.equal(deep.stderr, "Directory /nonexist does not exist.\n");
    assert.deepEqual(await listDir(dir), ["Tasks"]);
  });
});

Deno.test("T14 strict: a late PERENGINE is fatal before anything runs (exit 3, file:line)", async () => {
  const tasks = "echo t0\n#DISBATCH PERENGINE START echo late\ntouch RAN\n";
  const { r, files } = await inFreshDir(["-s", "localhost:2", "-p", "run", "sub/Tasks"], {
    "sub/Tasks": tasks,
  });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^disbatch: error: sub\/Tasks:2: [^\n]*PERENGINE[^\n]*\n$/);
  assert.deepEqual(files, ["sub"], "no status file, no task ran");
});

Deno.test("T14 lenient: a late PERENGINE silently ends the task list (task 0 only)", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo t0\n#DISBATCH PERENGINE START echo late\ntouch RAN\n");
    const r = await disbatch(
      ["-s", "localhost:2", "-p", "run", "--lenient-directives", "Tasks"],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const lines = await statusLines(`${dir}/run`);
    assert.equal(lines.length, 1);
    assert.deepEqual(sortedProjection(lines), [" O  |0|1|-1|0|3|'t0\\n'|0|''|echo t0"]);
    assert.ok(!(await listDir(dir)).includes("RAN"));
  });
});

Deno.test("unknown and malformed directives are fatal in a regular file (exit 3)", async () => {
  const bad = [
    "#DISBATCH FOO bar",
    "#DISBATCH barrier",
    "#DISBATCH REPEAT 3echo",
    "#DISBATCH REPEAT -1 z",
    "#DISBATCH PREFIX\t",
  ];
  const results = await Promise.all(bad.map((line) =>
    inFreshDir(["-s", "localhost:1", "Tasks"], {
      Tasks: `touch RAN\n# comment\n\n${line}\ntouch RAN2\n`,
    })
  ));
  results.forEach(({ r, files }, i) => {
    const line = bad[i];
    assert.equal(r.code, 3, line);
    const msg = r.stderr.split("\n");
    assert.equal(msg.length, 2, `one line for ${line}: ${r.stderr}`);
    assert.ok(msg[0].startsWith("disbatch: error: Tasks:4: "), r.stderr);
    assert.deepEqual(files, ["Tasks"], line);
  });
});

Deno.test("stdin: a bad directive stops feeding when reached; running tasks finish; exit 3", async () => {
  const { r, files } = await inFreshDir(
    ["-s", "localhost:2", "-p", "run", "-"],
    {},
    "sleep 0.3; touch A\n#DISBATCH FOO\ntouch B\n",
  );
  assert.equal(r.code, 3);
  assert.equal(
    r.stderr,
    "disbatch: error: <stdin>:2: unknown #DISBATCH directive: #DISBATCH FOO\n",
  );
  assert.ok(files.includes("A"), "the running task finished");
  assert.ok(!files.includes("B"), "nothing after the bad line ran");
});

Deno.test("stdin: tasks before a bad line are recorded, none after; lenient runs them all", async () => {
  await withTempDir(async (dir) => {
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "-"], {
      cwd: dir,
      stdin: "sleep 0.3; echo a\n#DISBATCH PERENGINE START echo late\necho b\n",
    });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^disbatch: error: <stdin>:2: [^\n]*PERENGINE[^\n]*\n$/);
    const lines = await statusLines(`${dir}/run`);
    assert.deepEqual(lines.map((l) => l.split("\t").slice(0, 3).join("|")), [" O  |0|1"]);
    // With --lenient-directives the original's behaviour: silently end the list, exit 0.
    const lenient = await disbatch(
      ["-s", "localhost:2", "-p", "run2", "--lenient-directives", "-"],
      { cwd: dir, stdin: "echo a\n#DISBATCH FOO\necho b\n" },
    );
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.equal(lenient.stderr, "");
    assert.equal((await statusLines(`${dir}/run2`)).length, 2);
  });
});
