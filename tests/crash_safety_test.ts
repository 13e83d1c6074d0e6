/**
 * Crash safety (issue "Never lose a task"): the driver is SIGKILLed at random moments, 20
 * times, each run resuming from all earlier status files. No status line is ever torn, no task
 * recorded as successful is ever run again, the engines leave no task behind, and the final
 * resume completes every task exactly once. The same with SIGINT/SIGTERM (seeded, replayable).
 */
import assert from "node:assert/strict";
import { livePids, splitStatus, withTempDir, writeTasks } from "./helpers.ts";
import { type BackgroundRun, exists, startDisbatch, waitFor, waitGone } from "./background_run.ts";

const TASKS = 80;

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

async function statusOf(path: string): Promise<string[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  assert.ok(text === "" || text.endsWith("\n"), `${path}: last line is torn`);
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  for (const l of lines) assert.equal(splitStatus(l).length, 15, `${path}: ${l}`);
  return lines;
}

/** The task file of the rounds: TASKS short tasks, each with `marker` in its command line. */
async function writeRoundTasks(dir: string, marker: string): Promise<void> {
  const lines = Array.from(
    { length: TASKS },
    (_, i) => `sleep 0.0${i % 8}; echo ${i} >> ran.log # ${marker}`,
  );
  await writeTasks(`${dir}/Tasks`, lines.join("\n") + "\n");
}

/**
 * Waits for a random moment of a run: one time in five within its start-up (before its status
 * file may exist), else within about the run's length from the moment it has its status file —
 * a slow start-up on a loaded machine must not eat the whole window.
 */
async function killMoment(
  child: BackgroundRun,
  statusFile: string,
  r: () => number,
): Promise<void> {
  const early = r() < 0.2;
  const delay = r() * (early ? 300 : 800);
  if (!early) {
    await Promise.race([
      child.result,
      waitFor("the status file", () => exists(statusFile), 30_000),
    ]);
  }
  await new Promise((res) => setTimeout(res, delay));
}

Deno.test("SIGKILL of the driver at 20 random moments, then -r: nothing lost, nothing re-run", async () => {
  await withTempDir(async (dir) => {
    const marker = `crash-${crypto.randomUUID().slice(0, 8)}`;
    const r = rng(20261126);
    await writeRoundTasks(dir, marker);
    const done = new Set<number>(); // ids with a successful record so far
    const files: string[] = [];
    let interrupted = 0;
    for (let k = 0; k <= 20; k++) {
      const p = `run${k}`;
      const resume = files.flatMap((f) => ["-r", f]);
      const child = startDisbatch(["-s", "localhost:4", "-p", p, ...resume, "Tasks"], { cwd: dir });
      const last = k === 20;
      if (!last) {
        await killMoment(child, `${dir}/${p}_status.txt`, r);
        try {
          child.kill("SIGKILL");
        } catch {
          // finished already
        }
      }
      const st = await child.result;
      if (last) assert.equal(st.code, 0, st.stderr);
      const recs = (await statusOf(`${dir}/${p}_status.txt`)).map(splitStatus);
      for (const f of recs) {
        const id = Number(f[1]);
        const kind = f[0][3];
        if (kind === " ") {
          assert.ok(!done.has(id), `run ${k} re-ran task ${id}, recorded as successful before`);
        }
      }
      for (const f of recs) {
        if ((f[0][3] === " " || f[0][3] === "S") && f[6] === "0") done.add(Number(f[1]));
      }
      // A driver killed before it created its status file leaves nothing to resume from.
      if (await Deno.stat(`${dir}/${p}_status.txt`).then(() => true, () => false)) {
        files.push(`${p}_status.txt`);
      }
      if (!last && done.size < TASKS && recs.length > 0) interrupted++;
      if (last) {
        const ids = recs.filter((f) => f[0][3] === " " || f[0][3] === "S").map((f) => Number(f[1]));
        assert.equal(ids.length, TASKS, "every task's final state exactly once");
        assert.deepEqual([...new Set(ids)].sort((a, b) => a - b), [...Array(TASKS).keys()]);
        assert.ok(recs.every((f) => f[6] === "0"));
        assert.ok(interrupted >= 1, "some kills landed in the middle of a run");
      }
      // The engines notice the lost driver and kill their tasks: nothing survives for long.
      await waitGone(marker, 5_000);
      assert.deepEqual(await livePids(marker), [], `run ${k}: orphaned tasks`);
    }
  });
});

/** The seed of a randomized test: `DISBATCH_TEST_SEED` to replay one, else a fresh one. */
function testSeed(): number {
  const given = Deno.env.get("DISBATCH_TEST_SEED");
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

Deno.test("SIGINT/SIGTERM at 12 random moments, then -r -R: lines whole, nothing lost or run twice", async () => {
  const seed = testSeed();
  try {
    await signalRounds(seed);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(replay with DISBATCH_TEST_SEED=${seed})`, {
      cause: e,
    });
  }
});

async function signalRounds(seed: number): Promise<void> {
  const ROUNDS = 12;
  await withTempDir(async (dir) => {
    const marker = `sig-${crypto.randomUUID().slice(0, 8)}`;
    const r = rng(seed);
    await writeRoundTasks(dir, marker);
    const done = new Set<number>(); // ids with a successful record so far
    const files: string[] = [];
    let interrupted = 0;
    for (let k = 0; k <= ROUNDS; k++) {
      const p = `run${k}`;
      // -R: a task killed by the signal has a (failed) record and must run again.
      const resume = [...files.flatMap((f) => ["-r", f]), ...(files.length > 0 ? ["-R"] : [])];
      const child = startDisbatch(["-s", "localhost:4", "-p", p, ...resume, "Tasks"], { cwd: dir });
      const last = k === ROUNDS;
      const sig: Deno.Signal = r() < 0.5 ? "SIGINT" : "SIGTERM";
      if (!last) {
        await killMoment(child, `${dir}/${p}_status.txt`, r);
        try {
          child.kill(sig);
        } catch {
          // finished already
        }
      }
      const st = await child.result;
      const what = `run ${k} (${last ? "to the end" : sig})`;
      const expected = last ? [0] : [0, sig === "SIGINT" ? 130 : 143];
      assert.ok(expected.includes(st.code), `${what}: exit ${st.code}: ${st.stderr}`);
      const recs = (await statusOf(`${dir}/${p}_status.txt`)).map(splitStatus);
      const finals = recs.filter((f) => f[0][3] === " ").map((f) => Number(f[1]));
      assert.equal(new Set(finals).size, finals.length, `${what}: a task has two final lines`);
      for (const id of finals) {
        assert.ok(!done.has(id), `${what} re-ran task ${id}, recorded as successful before`);
      }
      for (const f of recs) {
        if ((f[0][3] === " " || f[0][3] === "S") && f[6] === "0") done.add(Number(f[1]));
      }
      if (await Deno.stat(`${dir}/${p}_status.txt`).then(() => true, () => false)) {
        files.push(`${p}_status.txt`);
      }
      if (!last && st.code !== 0 && recs.length > 0 && done.size < TASKS) interrupted++;
      if (last) {
        const ids = recs.filter((f) => f[0][3] === " " || f[0][3] === "S").map((f) => Number(f[1]));
        assert.equal(ids.length, TASKS, "every task's final state exactly once");
        assert.deepEqual([...new Set(ids)].sort((a, b) => a - b), [...Array(TASKS).keys()]);
        assert.ok(recs.every((f) => f[6] === "0"), "the last run has only successes");
        assert.ok(interrupted >= 1, "some signals landed in the middle of a run");
      }
      // The driver kills its tasks before it exits on a signal.
      await waitGone(marker, 5_000);
      assert.deepEqual(await livePids(marker), [], `${what}: tasks left running`);
    }
  });
}
