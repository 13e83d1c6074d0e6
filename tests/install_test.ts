/**
 * `scripts/install`: a copy of a temporary clone, installed into a temporary prefix, runs after
 * the clone is gone with nothing but bash and the installed files — stand-ins for node, npm,
 * python3 and deno first in PATH fail the test if anything calls them — locally, over ssh, and
 * as the literal `sbatch -N 3 -n 6 disbatch Tasks` on the lab's 3-node Slurm cluster. An
 * upgrade during a run leaves that run (and the engines it starts later) on its own version.
 */
import assert from "node:assert/strict";
import { ROOT, statusLines, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";
import { envWithout, exists, startProgram, waitFor } from "./background_run.ts";
import { labTest, runCommand, SLURM_LAB, SSH_LAB, taskRuns, waitJob } from "./cluster_lab.ts";

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs `fn` in a fresh temporary directory, as {@link withTempDir}; installed versions are
 * read-only, which a user who is not root could not remove, so they are made writable first.
 */
function withInstallDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir((dir) => writableAfter(dir, fn));
}

/** `fn(dir)`, then `dir` made writable again (for the temporary directory's removal). */
async function writableAfter(dir: string, fn: (dir: string) => Promise<void>): Promise<void> {
  try {
    await fn(dir);
  } finally {
    await runCommand("chmod", ["-R", "u+w", dir]);
  }
}

/** Copies the files a clone of this checkout has (as they are in the work tree) to `dest`. */
async function cloneTree(dest: string): Promise<void> {
  const list = await runCommand("git", [
    "-C",
    ROOT,
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ]);
  for (const f of list.split("\0").filter((f) => f !== "")) {
    const from = `${ROOT}/${f}`;
    if (!(await exists(from))) continue; // deleted in the work tree
    await Deno.mkdir(`${dest}/${f}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.copyFile(from, `${dest}/${f}`);
  }
}

/** Runs `clone/scripts/install args…`; returns its stdout. The pinned Deno comes from here. */
function install(clone: string, args: string[]): Promise<string> {
  return runCommand(`${clone}/scripts/install`, args, { env: { DENO: Deno.execPath() } });
}

/**
 * A directory of failing stand-ins for the tools an install must not need at run time; any
 * call is logged to `log`.
 */
async function standIns(dir: string): Promise<{ bin: string; log: string }> {
  const bin = `${dir}/standins`;
  const log = `${dir}/standins.log`;
  await Deno.mkdir(bin);
  for (const tool of ["node", "npm", "npx", "python3", "python", "deno"]) {
    await Deno.writeTextFile(`${bin}/${tool}`, `#!/bin/sh\necho "$0 $*" >> '${log}'\nexit 97\n`, {
      mode: 0o755,
    });
  }
  return { bin, log };
}

/**
 * A temporary clone installed into `dir/prefix`, the clone deleted; the user's environment,
 * the installed version's directory and an empty working directory `dir/work`.
 */
async function installedCopy(
  dir: string,
): Promise<
  { prefix: string; env: Record<string, string>; log: string; vdir: string; work: string }
> {
  const clone = `${dir}/clone`;
  await cloneTree(clone);
  const prefix = `${dir}/prefix`;
  const out = await install(clone, ["--prefix", prefix]);
  assert.match(out, new RegExp(`^launcher: ${prefix}/bin/disbatch$`, "m"));
  await Deno.remove(clone, { recursive: true });
  const { bin, log } = await standIns(dir);
  const env = envWithout("DENO", "DENO_DIR");
  env.PATH = `${bin}:${prefix}/bin:${SYSTEM_PATH}`;
  const [vdir] = await versionDirs(prefix);
  const work = `${dir}/work`;
  await Deno.mkdir(work);
  return { prefix, env, log, vdir, work };
}

/** Nothing called a stand-in. */
async function assertNoStandInUsed(log: string): Promise<void> {
  const calls = await Deno.readTextFile(log).catch(() => "");
  assert.equal(calls, "", "node/npm/python3/deno were called");
}

/** A task that records its host and its engine's command line (its parent process). */
const RECORD_ENGINE =
  "hostname > host.$DISBATCH_TASKID; tr '\\0' ' ' < /proc/$PPID/cmdline > engine.$DISBATCH_TASKID";

/** Every `engine.N` file the tasks wrote. */
async function engineCommands(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith("engine.")) out.push(await Deno.readTextFile(`${dir}/${e.name}`));
  }
  return out;
}

/** The one installed version directory under `prefix` whose install.json has `version`. */
async function versionDirs(prefix: string): Promise<string[]> {
  const dirs: string[] = [];
  for await (const e of Deno.readDir(`${prefix}/lib/disbatch`)) {
    if (await exists(`${prefix}/lib/disbatch/${e.name}/install.json`)) {
      dirs.push(`${prefix}/lib/disbatch/${e.name}`);
    }
  }
  return dirs.sort();
}

Deno.test("an installed copy runs locally with the checkout gone and no node/npm/python/deno", async () => {
  await withInstallDir(async (dir) => {
    const { prefix, env, log, vdir, work } = await installedCopy(dir);
    const version = await runCommand("disbatch", ["--version"], { env });
    assert.match(version, new RegExp(`^running installed: ${vdir}$`, "m"));
    assert.match(version, /^deno 2\.\d+\.\d+ /m);

    await writeTasks(`${work}/Tasks`, `${RECORD_ENGINE}\n`.repeat(4));
    await runCommand("disbatch", ["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: work, env });
    const runs = taskRuns(await statusLines(`${work}/run`));
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.rc === 0));
    const engines = await engineCommands(work);
    assert.equal(engines.length, 4);
    for (const cmd of engines) {
      assert.ok(cmd.startsWith(`${prefix}/lib/disbatch/runtime/deno-`), cmd);
      // A plain local run's engine runs inside the driver.
      assert.ok(cmd.includes(` ${vdir}/main.ts -s localhost:2 `), cmd);
    }
    // The helper script names the installed version's own launcher.
    assert.match(
      await Deno.readTextFile(`${work}/run_dbUtil.sh`),
      new RegExp(`^self=\\(${vdir}/disbatch\\)$`, "m"),
    );
    // Tasks see the caller's environment, not the install's module cache.
    await writeTasks(`${work}/Env`, 'echo "DENO_DIR=${DENO_DIR-unset}"\n');
    await runCommand("disbatch", ["-s", "localhost:1", "-p", "env", "Env"], { cwd: work, env });
    assert.equal(taskRuns(await statusLines(`${work}/env`))[0].out, "DENO_DIR=unset");
    await runCommand("disbatch", ["-s", "localhost:1", "-p", "env2", "Env"], {
      cwd: work,
      env: { ...env, DENO_DIR: "/users/own/cache" },
    });
    assert.equal(taskRuns(await statusLines(`${work}/env2`))[0].out, "DENO_DIR=/users/own/cache");
    await assertNoStandInUsed(log);
  });
});

Deno.test("install refuses a foreign bin/disbatch; --uninstall removes only what it installed", async () => {
  await withInstallDir(async (dir) => {
    const clone = `${dir}/clone`;
    await cloneTree(clone);
    const prefix = `${dir}/prefix`;
    await Deno.mkdir(`${prefix}/bin`, { recursive: true });
    await Deno.writeTextFile(`${prefix}/bin/disbatch`, "#!/bin/sh\necho mine\n", { mode: 0o755 });
    await assert.rejects(
      install(clone, ["--prefix", prefix]),
      /was not written by scripts\/install/,
    );
    assert.equal(await Deno.readTextFile(`${prefix}/bin/disbatch`), "#!/bin/sh\necho mine\n");
    await assert.rejects(install(clone, ["--uninstall", "--prefix", prefix]), /left as it is/);

    await Deno.remove(`${prefix}/bin/disbatch`);
    await install(clone, ["--prefix", prefix]);
    // The same files again: the same version, made current, nothing rebuilt.
    assert.match(await install(clone, ["--prefix", prefix]), /is already installed/);
    assert.equal((await versionDirs(prefix)).length, 1);
    assert.match(
      await install(clone, ["--uninstall", "--prefix", prefix]),
      /^removed disbatch from /,
    );
    assert.equal(await exists(`${prefix}/bin/disbatch`), false);
    assert.equal(await exists(`${prefix}/lib`), false);
    assert.equal(await exists(`${prefix}/bin`), true);
    assert.match(await install(clone, ["--uninstall", "--prefix", prefix]), /is not installed/);
  });
});

labTest({
  name:
    "installed: the literal `sbatch -N 3 -n 6 disbatch Tasks` runs every task on all three nodes",
  labs: [SLURM_LAB],
  fn: (dir) =>
    writableAfter(dir, async () => {
      const { env, log, vdir, work } = await installedCopy(dir);
      await writeTasks(`${work}/Tasks`, `sleep 1; ${RECORD_ENGINE}\n`.repeat(12));
      const submitted = await runCommand("sbatch", ["-N", "3", "-n", "6", "disbatch", "Tasks"], {
        cwd: work,
        env: { ...env, SLURM_CONF: SLURM_LAB!.SLURM_CONF },
      });
      const id = submitted.match(/^Submitted batch job (\d+)$/m)?.[1];
      assert.ok(id, submitted);
      await waitJob(id, 90_000);
      const out = await Deno.readTextFile(`${work}/slurm-${id}.out`);
      assert.equal(out, "", "the job printed nothing");
      const status = [...Deno.readDirSync(work)].map((e) => e.name)
        .filter((n) => /^Tasks_disBatch_\d{12}_\d+_status\.txt$/.test(n));
      assert.equal(status.length, 1, JSON.stringify(status));
      const runs = taskRuns(await statusLines(`${work}/${status[0].replace(/_status\.txt$/, "")}`));
      assert.equal(runs.length, 12);
      assert.ok(runs.every((r) => r.rc === 0), JSON.stringify(runs));
      assert.deepEqual([...new Set(runs.map((r) => r.node))].sort(), ["n1", "n2", "n3"]);
      for (const r of runs) {
        assert.equal((await Deno.readTextFile(`${work}/host.${r.id}`)).trim(), r.node);
      }
      const engines = await engineCommands(work);
      assert.equal(engines.length, 12);
      assert.ok(engines.every((cmd) => cmd.includes(` ${vdir}/main.ts --engine `)), engines[0]);
      await assertNoStandInUsed(log);
    }),
});

labTest({
  name: "installed: -s n1:2,n2:2 runs over ssh from the same install",
  labs: [SLURM_LAB, SSH_LAB],
  fn: (dir) =>
    writableAfter(dir, async () => {
      const { env, log, vdir, work } = await installedCopy(dir);
      await writeTasks(`${work}/Tasks`, `sleep 0.5; ${RECORD_ENGINE}\n`.repeat(8));
      await runCommand("disbatch", ["-s", "n1:2,n2:2", "-p", "run", "Tasks"], { cwd: work, env });
      const runs = taskRuns(await statusLines(`${work}/run`));
      assert.equal(runs.length, 8);
      assert.ok(runs.every((r) => r.rc === 0), JSON.stringify(runs));
      assert.deepEqual([...new Set(runs.map((r) => r.node))].sort(), ["n1", "n2"]);
      const engines = await engineCommands(work);
      assert.ok(engines.every((cmd) => cmd.includes(` ${vdir}/main.ts --engine `)), engines[0]);
      await assertNoStandInUsed(log);
    }),
});

Deno.test("an upgrade during a run: the run and the engines it adds later keep their version", async () => {
  await withInstallDir(async (dir) => {
    const { prefix, env, log, vdir: old, work } = await installedCopy(dir);
    // Each task says it started, waits for `go`, then records its engine.
    await writeTasks(
      `${work}/Tasks`,
      `touch started.$DISBATCH_ENGINE_RANK.$DISBATCH_TASKID; ${WAIT_GO}; ${RECORD_ENGINE}\n`
        .repeat(6),
    );
    const run = startProgram("disbatch", ["-s", "localhost:1", "-p", "run", "Tasks"], {
      cwd: work,
      env,
    });
    const started = (rank: number) =>
      [...Deno.readDirSync(work)].some((e) => e.name.startsWith(`started.${rank}.`));
    await waitFor("the first engine's task", () => started(0), 30_000);

    // Upgrade: a clone whose program differs (another version string) installed over it.
    const clone2 = `${dir}/clone2`;
    await cloneTree(clone2);
    const versionFile = `${clone2}/src/cli/version.ts`;
    await Deno.writeTextFile(
      versionFile,
      (await Deno.readTextFile(versionFile)).replace(
        /^export const VERSION = "(.*)";$/m,
        'export const VERSION = "$1-upgraded";',
      ),
    );
    await install(clone2, ["--prefix", prefix]);
    const dirs = await versionDirs(prefix);
    assert.equal(dirs.length, 2);
    const upgraded = dirs.find((d) => d !== old)!;
    assert.match(upgraded, /-upgraded-/);
    assert.match(
      await runCommand("disbatch", ["--version"], { env }),
      new RegExp(`-upgraded\\n[^]*^running installed: ${upgraded}$`, "m"),
    );

    // A context added to the running run after the upgrade starts an engine of the old version.
    const added = startProgram(`${work}/run_dbUtil.sh`, ["-s", "localhost:1", "-l", "late"], {
      cwd: work,
      env,
    });
    await waitFor("the added engine's task", () => started(1), 30_000);
    await Deno.writeTextFile(`${work}/go`, "");
    const r = await run.result;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await added.result).code, 0);
    const runs = taskRuns(await statusLines(`${work}/run`));
    assert.equal(runs.length, 6);
    assert.ok(runs.every((t) => t.rc === 0));
    const engines = await engineCommands(work);
    assert.equal(engines.length, 6);
    // The run's own engine is inside its driver; the added context's is a process.
    assert.ok(
      engines.every((cmd) =>
        cmd.includes(` ${old}/main.ts -s localhost:1 `) || cmd.includes(` ${old}/main.ts --engine `)
      ),
      engines.join("\n"),
    );
    assert.ok(engines.some((cmd) => cmd.includes(` ${old}/main.ts --engine `)), "added engine");
    await assertNoStandInUsed(log);
  });
});

Deno.test("--binary installs an executable behind the same launcher, as its own version", async () => {
  await withInstallDir(async (dir) => {
    const clone = `${dir}/clone`;
    await cloneTree(clone);
    // No compiled binary can be built here (deno compile needs to download its runtime): an
    // executable that runs this program stands in for dist/disbatch.
    const binary = `${dir}/disbatch-compiled`;
    await Deno.writeTextFile(
      binary,
      `#!/bin/sh\nexec '${Deno.execPath()}' run --quiet -A --no-lock --config '${ROOT}/deno.json' '${ROOT}/main.ts' "$@"\n`,
      { mode: 0o755 },
    );
    const prefix = `${dir}/prefix`;
    await install(clone, ["--prefix", prefix]);
    const out = await install(clone, ["--prefix", prefix, "--binary", binary]);
    assert.match(out, /^installed disbatch \S+ \(compiled \(disbatch-compiled\)\) in /m);
    const dirs = await versionDirs(prefix);
    assert.equal(dirs.length, 2);
    const bin = dirs.find((d) => /-bin-[0-9a-f]{10}$/.test(d))!;
    const manifest = JSON.parse(await Deno.readTextFile(`${bin}/install.json`));
    assert.equal(manifest.kind, "binary");
    // A copy, not a link: the original may go.
    await Deno.remove(binary);
    assert.match(
      await Deno.readTextFile(`${prefix}/bin/disbatch`),
      new RegExp(`^exec '${bin}/disbatch' "\\$@"$`, "m"),
    );
    assert.match(
      await Deno.readTextFile(`${bin}/disbatch`),
      new RegExp(`^exec '${bin}/disbatch-bin' "\\$@"$`, "m"),
    );
    const work = `${dir}/work`;
    await Deno.mkdir(work);
    await writeTasks(`${work}/Tasks`, "echo via-binary\n");
    await runCommand(`${prefix}/bin/disbatch`, ["-s", "localhost:1", "-p", "run", "Tasks"], {
      cwd: work,
    });
    assert.equal(taskRuns(await statusLines(`${work}/run`))[0].out, "via-binary");
    // An executable that is not there, or a launcher left over: one line, nothing changed.
    await assert.rejects(
      install(clone, ["--prefix", prefix, "--binary", `${dir}/nothing`]),
      /--binary \S+nothing is not an executable file/,
    );
  });
});

Deno.test("the README's install commands, as written, from a clone", async () => {
  await withInstallDir(async (dir) => {
    const readme = await Deno.readTextFile(`${ROOT}/README.md`);
    const section = readme.split(/^## Install$/m)[1]?.split(/^## /m)[0] ?? "";
    const block = section.match(/^```sh\n([^]*?)^```$/m)?.[1];
    assert.ok(block, "README: ## Install has a ```sh block");
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    assert.match(lines[0], /^git clone .* disbatch && cd disbatch$/);
    const clone = `${dir}/disbatch`;
    await cloneTree(clone);
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    // The clone is made above; the rest runs as written, in a new user's home.
    const script = ["set -euo pipefail", `cd '${clone}'`, ...lines.slice(1)].join("\n");
    const out = await runCommand("bash", ["-c", script], {
      env: { HOME: home, PATH: SYSTEM_PATH, DENO: Deno.execPath() },
    });
    assert.match(out, new RegExp(`^running installed: ${home}/lib/disbatch/[^/]+$`, "m"));
    assert.equal(await exists(`${home}/bin/disbatch`), true);
  });
});

Deno.test("installs keep the three most recent versions and the runtimes they use", async () => {
  await withInstallDir(async (dir) => {
    const clone = `${dir}/clone`;
    await cloneTree(clone);
    const prefix = `${dir}/prefix`;
    const versionFile = `${clone}/src/cli/version.ts`;
    const original = await Deno.readTextFile(versionFile);
    const installed: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      await Deno.writeTextFile(
        versionFile,
        original.replace(/^export const VERSION = "(.*)";$/m, `export const VERSION = "$1-v${n}";`),
      );
      const out = await install(clone, ["--prefix", prefix]);
      installed.push(out.match(/^installed disbatch \S+ \(.*\) in (\S+)$/m)![1]);
    }
    assert.deepEqual(await versionDirs(prefix), installed.slice(1).sort());
    const runtimes = [...Deno.readDirSync(`${prefix}/lib/disbatch/runtime`)].map((e) => e.name);
    assert.deepEqual(runtimes, [`deno-${Deno.version.deno}`]);
  });
});

Deno.test({
  name: "an install is read-only and runs for another user (a group install in /opt)",
  ignore: Deno.uid() !== 0,
  fn: () =>
    withInstallDir(async (dir) => {
      const { prefix, vdir, work } = await installedCopy(dir);
      await assert.rejects(
        runCommand("su", ["nobody", "-s", "/bin/bash", "-c", `touch '${vdir}/x'`]),
        /Permission denied/,
      );
      await Deno.chmod(work, 0o777);
      await Deno.chmod(dir, 0o755);
      await writeTasks(`${work}/Tasks`, "id -un\n");
      await runCommand("su", [
        "nobody",
        "-s",
        "/bin/bash",
        "-c",
        `cd '${work}' && HOME='${work}' '${prefix}/bin/disbatch' -s localhost:1 -p run Tasks`,
      ]);
      assert.equal(taskRuns(await statusLines(`${work}/run`))[0].out, "nobody");
    }),
});
