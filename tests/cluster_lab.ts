/**
 * Shared helpers of the integration tests that need the lab (scripts/LAB.md): the 3-node Slurm
 * cluster `c3` (n1..n3 in network namespaces) and sshd on 127.0.0.1 and in each node. A test
 * that needs the lab is ignored when the lab is down, unless `LAB_REQUIRED_FOR_TESTS=1` (CI), in
 * which case it fails.
 * @module
 */
import assert from "node:assert/strict";
import { splitStatus, withTempDir } from "./helpers.ts";

/** CI sets this after bringing the lab up: a missing lab is then a failure, not a skip. */
const LAB_REQUIRED = Deno.env.get("LAB_REQUIRED_FOR_TESTS") === "1";

/** `export K=V` lines of a lab env file, or null when the file (so the lab) is missing. */
function readEnvFile(path: string): Record<string, string> | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return null;
  }
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=("?)(.*)\2$/gm)) env[m[1]] = m[3];
  return env;
}

/** The Slurm cluster c3 (`SLURM_CONF`, `LAB_NODES`), or null when it is down. */
export const SLURM_LAB = readEnvFile("/tmp/disbatch-lab/c3/env.sh");
/** The lab's sshd (`LAB_SSH_HOSTS`), or null when it is down. */
export const SSH_LAB = readEnvFile("/tmp/disbatch-lab/ssh/env.sh");

/** Deno.test `ignore` value: skip when the lab is down and not required. */
function ignoreWithout(...labs: (Record<string, string> | null)[]): boolean {
  return !LAB_REQUIRED && labs.some((l) => l === null);
}

/** With the lab required, its absence fails the test. */
function requireLab(...labs: (Record<string, string> | null)[]): void {
  assert.ok(
    labs.every((l) => l !== null),
    "LAB_REQUIRED_FOR_TESTS=1 but the lab is down: run `NODES=3 ACCOUNTING=1 scripts/slurm-up.sh` " +
      "and `CLUSTER_DIR=/tmp/disbatch-lab/c3 scripts/sshd-up.sh`",
  );
  assert.equal(SLURM_LAB?.LAB_NODES, "n1 n2 n3", "the lab must be the 3-node cluster c3");
}

/** Runs a command to completion; returns its stdout, throws with its stderr on failure. */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    ...opts,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: exit ${out.code}: ${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout);
}

/** Runs a Slurm command against the lab cluster; returns stdout, throws on failure. */
export function slurm(cmd: string, args: string[], cwd?: string): Promise<string> {
  return runCommand(cmd, args, { cwd, env: { SLURM_CONF: SLURM_LAB!.SLURM_CONF } });
}

/** Submits `sbatch args…` in `cwd`; returns the job id. */
export async function sbatch(args: string[], cwd: string): Promise<string> {
  return (await slurm("sbatch", ["--parsable", ...args], cwd)).trim().split(";")[0];
}

/**
 * Polls `squeue -h -j ID` (never `sbatch --wait`, which is slow) until the job is gone; each
 * poll's job state and node list go to `onPoll`. Cancels the job and throws after `timeoutMs`.
 */
export async function waitJob(
  id: string,
  timeoutMs: number,
  onPoll: (state: string, nodes: string) => void = () => {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (true) {
    const out = (await slurm("squeue", ["-h", "-j", id, "-o", "%T %N"])).trim();
    if (out === "") return;
    const [state, nodes = ""] = out.split(" ");
    onPoll(state, nodes);
    if (Date.now() > until) {
      await slurm("scancel", [id]).catch(() => "");
      throw new Error(`job ${id} still in the queue after ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A status line's fields of interest. */
export interface TaskRun {
  id: number;
  node: string;
  rc: number;
  start: number;
  finish: number;
  out: string;
}

/** Decodes the status lines of normal tasks. */
export function taskRuns(lines: string[]): TaskRun[] {
  return lines.map(splitStatus).filter((f) => f[0][3] === " ").map((f) => ({
    id: Number(f[1]),
    node: f[4],
    rc: Number(f[6]),
    start: Number(f[8]),
    finish: Number(f[9]),
    out: f[11].replace(/^'|\\n'$/g, ""),
  }));
}

/** Largest number of `runs` running at once (a task ending as another starts is not overlap). */
export function maxConcurrent(runs: TaskRun[]): number {
  const ev = runs.flatMap((r) => [[r.start, 1], [r.finish, -1]])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of ev) max = Math.max(max, cur += d);
  return max;
}

/**
 * Root's ~/.bashrc on these machines runs `pyenv init`, whose rehash takes a lock file; every
 * shell that ssh starts on a lab node reads it. A shell killed during the rehash (tests kill
 * engines and their ssh sessions on purpose) leaves the lock behind, and then every later
 * shell waits for it (the lab's sshd caps that wait at 3 s, scripts/sshd-up.sh; a minute
 * otherwise). A lock older than 15 s is such a leftover: no rehash takes that long. Checked
 * before and every 5 s during a lab test.
 */
async function clearStalePyenvLock(): Promise<void> {
  const root = Deno.env.get("PYENV_ROOT") ?? `${Deno.env.get("HOME")}/.pyenv`;
  const lock = `${root}/shims/.pyenv-shim`;
  try {
    const st = await Deno.stat(lock);
    if (Date.now() - (st.mtime?.getTime() ?? Date.now()) > 15_000) await Deno.remove(lock);
  } catch {
    // no lock, or not ours to remove
  }
}

/**
 * A Deno.test on the `labs` it needs (SLURM_LAB, SSH_LAB), run in a fresh temporary directory
 * `dir`. Lab tests share three nodes and some of them break a node on purpose, so they run one
 * at a time across test files (an exclusive lock file).
 */
export function labTest(t: {
  name: string;
  labs: (Record<string, string> | null)[];
  fn: (dir: string) => Promise<void>;
}): void {
  Deno.test({
    name: t.name,
    ignore: ignoreWithout(...t.labs),
    async fn() {
      Deno.mkdirSync("/tmp/disbatch-lab", { recursive: true });
      const lock = await Deno.open("/tmp/disbatch-lab/tests.lock", { create: true, write: true });
      try {
        await lock.lock(true);
        requireLab(...t.labs);
        await clearStalePyenvLock();
        let sweeping = Promise.resolve();
        const sweep = setInterval(() => sweeping = sweeping.then(clearStalePyenvLock), 5_000);
        try {
          await withTempDir(t.fn);
        } finally {
          clearInterval(sweep);
          await sweeping; // no operation left over for the test's sanitizer
        }
      } finally {
        lock.close();
      }
    },
  });
}
