/**
 * `deno task bench`: disbatch side by side with `xargs -P` and GNU parallel (`--joblog`) on the
 * same machine in one run, best of N, plus memory and latency cases. Prints a table and (full
 * runs only) writes it to bench/RESULTS.md. Options: `--quick` (fewer repetitions, smaller
 * cases), `--only trivial|sleep|scale|memory|slurm|latency|capacity|huge|report|resume`,
 * `--huge` (the huge case up to 10,000,000 tasks instead of 1,000,000).
 * The trivial case also runs "limit" (scripts/spawn_limit.c, built with the system's C compiler
 * when there is one): the physical limit every tool is compared with; and the same loop run by
 * Deno (scripts/spawn_loop.ts), which shows the runtime's own share of the gap; and the limit
 * after 200 ms of start-up CPU, which shows the share of the kernel's placement of the children
 * on this host. Its tools run round-robin (one run of each per round), and the limit, the
 * limit after start-up and disbatch 7 rounds, so that each tool's ratio to the limit is also
 * given round by round, with its median: the host's speed drifts.
 * Speed goals live here, never in tests.
 */
import { fileURLToPath } from "node:url";
import { driverLoad } from "./driver_load.ts";
import { writeSyntheticStatus } from "./synthetic_status.ts";
import { formatStatusLine } from "../src/status/status_line.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const LAUNCHER = `${ROOT}/scripts/disbatch`;
const args = Deno.args;
const QUICK = args.includes("--quick");
/** `--only huge` goes up to 10,000,000 lines (else 1,000,000). */
const HUGE = args.includes("--huge");
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const REPS = QUICK ? 1 : 3;
/** Rounds of the limit and disbatch in a case that has a limit (see throughput()). */
const PAIRED_ROUNDS = QUICK ? 1 : 7;
/** Everything in bench/RESULTS.md from this line on is written by hand and kept by a full run. */
const ANALYSIS_MARKER = "<!-- analysis: written by hand, kept by deno task bench -->";

interface Row {
  case: string;
  tool: string;
  seconds: number;
  rate?: number;
  note?: string;
  /** The exact command measured (as run under `bash -c`). */
  cmd?: string;
  /** CPU seconds (user + system) of the whole process tree in the best repetition. */
  cpu?: number;
  /**
   * Throughput over the limit's in each round (repetitions run round-robin over the tools, so
   * a round's runs are minutes apart at most and the host's drift affects them alike).
   */
  perRound?: number[];
  /** disbatch's throughput over {@link LIMIT_STARTED}'s in the same round, round by round. */
  perRoundStarted?: number[];
}
const rows: Row[] = [];

async function sh(cmd: string, cwd: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("bash", {
    args: ["-c", cmd],
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr),
  };
}

/** Clock ticks per second of /proc's CPU times. */
const CLK_TCK = Number((await sh("getconf CLK_TCK", "/")).out.trim()) || 100;

/**
 * CPU seconds of this process's reaped descendants so far (cutime + cstime): every process of a
 * measured tree is waited for by its parent (tasks by the engine or xargs, the engine by the
 * driver), so the difference around one command is the whole tree's CPU.
 */
function childrenCpu(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

/** Wall seconds of one run of `cmd` (after `reset`), and its whole-tree CPU seconds. */
async function timeOnce(
  cmd: string,
  cwd: string,
  reset?: string,
): Promise<{ seconds: number; cpu: number }> {
  if (reset) await sh(reset, cwd);
  const c0 = childrenCpu();
  const t0 = performance.now();
  const r = await sh(cmd, cwd);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = childrenCpu() - c0;
  if (r.code !== 0) throw new Error(`failed (${r.code}): ${cmd}\n${r.out}`);
  return { seconds, cpu };
}

/**
 * Wall seconds of the fastest of `reps` runs (REPS by default), and that run's whole-tree CPU
 * seconds.
 */
async function timeBest(
  cmd: string,
  cwd: string,
  reset?: string,
  reps = REPS,
): Promise<{ seconds: number; cpu: number }> {
  let best = { seconds: Infinity, cpu: NaN };
  for (let i = 0; i < reps; i++) {
    const r = await timeOnce(cmd, cwd, reset);
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

/** The median of `xs` (not empty). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "round by round 0.91, 0.88, …, median 0.90". */
function roundByRound(ratios: number[]): string {
  return `round by round ${ratios.map((x) => x.toFixed(2)).join(", ")}, median ${
    median(ratios).toFixed(2)
  }`;
}

async function haveParallel(): Promise<boolean> {
  if ((await sh("command -v parallel", "/")).code === 0) return true;
  if (Deno.uid() === 0) await sh("apt-get install -y parallel >/dev/null 2>&1", "/");
  return (await sh("command -v parallel", "/")).code === 0;
}

async function taskFile(dir: string, name: string, n: number, cmd: string): Promise<string> {
  const path = `${dir}/${name}`;
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const line = new TextEncoder().encode(cmd + "\n");
  const chunk = new Uint8Array(line.length * 10_000);
  for (let i = 0; i < 10_000; i++) chunk.set(line, i * line.length);
  let left = n;
  while (left > 0) {
    const k = Math.min(left, 10_000);
    await f.write(chunk.subarray(0, k * line.length));
    left -= k;
  }
  f.close();
  return path;
}

/** The tool that is the physical limit of a case: the others are also given as ratios to it. */
const LIMIT = "limit";
/** The limit's loop run by Deno (scripts/spawn_loop.ts). */
const DENO_LOOP = "limit's loop in Deno";
/** CPU the limit uses before its first spawn in {@link LIMIT_STARTED} (about disbatch's). */
const STARTUP_MS = 200;
/**
 * The limit's own loop after {@link STARTUP_MS} of CPU, as a program with a runtime starts: on
 * the PVM guest of 2026-12 the kernel then places the spawned children as it does disbatch's
 * (bench/RESULTS.md, session 13).
 */
const LIMIT_STARTED = `limit after ${STARTUP_MS} ms start-up`;
/** The tools of a case with a limit that run all PAIRED_ROUNDS rounds. */
const PAIRED = new Set([LIMIT, LIMIT_STARTED, "disbatch"]);

/**
 * scripts/spawn_limit.c built into `dir` with `cc` or `gcc`; null (and a row that says so) when
 * there is no C compiler or the build fails.
 */
async function buildLimit(dir: string, name: string): Promise<string | null> {
  const bin = `${dir}/spawn_limit`;
  for (const cc of ["cc", "gcc"]) {
    if ((await sh(`command -v ${cc}`, "/")).code !== 0) continue;
    const r = await sh(`${cc} -O2 -o ${bin} ${ROOT}/scripts/spawn_limit.c`, dir);
    if (r.code === 0) return bin;
    rows.push({ case: name, tool: LIMIT, seconds: NaN, note: `skipped: ${cc} failed: ${r.out}` });
    return null;
  }
  rows.push({ case: name, tool: LIMIT, seconds: NaN, note: "skipped: no C compiler (cc, gcc)" });
  return null;
}

async function throughput(
  dir: string,
  name: string,
  n: number,
  cmd: string,
  slots: number,
  capture = false,
  limit = false,
) {
  const tf = await taskFile(dir, `${name.replace(/[^A-Za-z0-9]+/g, "_")}.tasks`, n, cmd);
  const tools: [string, string][] = [
    ["disbatch", `${LAUNCHER} -s localhost:${slots} -p ${dir}/run ${tf}`],
    // The cost of --capture (one index write per task without output): goal ≤ 10 %.
    ...(capture
      ? [["disbatch --capture", `${LAUNCHER} --capture -s localhost:${slots} -p ${dir}/run ${tf}`]]
      : []) as [string, string][],
    ["xargs -P", `xargs -P ${slots} -d '\\n' -n 1 bash -c < ${tf}`],
    // The same with a new session per task, which disbatch creates (spec §6.1) and xargs does not.
    ["xargs -P + setsid", `xargs -P ${slots} -d '\\n' -n 1 setsid bash -c < ${tf}`],
  ];
  if (await haveParallel()) {
    tools.push(["GNU parallel", `parallel -j ${slots} --joblog ${dir}/joblog < ${tf}`]);
  }
  // posix_spawn of `bash -c LINE` in a new session, `slots` at a time, nothing recorded.
  const bin = limit ? await buildLimit(dir, name) : null;
  if (bin) {
    // The same loop in this runtime, each task's output on pipes read at its exit
    // (scripts/spawn_loop.ts): how far the runtime itself is from the limit, apart from what
    // disbatch does per task around the spawn.
    tools.unshift(
      [LIMIT, `${bin} ${slots} ${tf}`],
      [LIMIT_STARTED, `${bin} ${slots} ${tf} ${STARTUP_MS}`],
      [DENO_LOOP, `${Deno.execPath()} run -A ${ROOT}/scripts/spawn_loop.ts --pipes ${slots} ${tf}`],
    );
  }
  // Round-robin: every tool once per round, so that the host's drift over the minutes of the
  // case (±20 % within an hour on the PVM guest of 2026-12) does not favour the tool run first.
  // With a limit, the limit and disbatch alone run PAIRED_ROUNDS rounds in all: the median of
  // their round-by-round ratio is what issue #16 asks for, and 3 rounds are few for it.
  const runs = tools.map(() => [] as { seconds: number; cpu: number }[]);
  const rounds = bin ? Math.max(REPS, PAIRED_ROUNDS) : REPS;
  for (let round = 0; round < rounds; round++) {
    for (const [i, [tool, cmd]] of tools.entries()) {
      if (round >= REPS && !PAIRED.has(tool)) continue;
      runs[i].push(await timeOnce(cmd, dir, `rm -f ${dir}/run_* ${dir}/joblog`));
    }
  }
  const runsOf = (name: string) => {
    const i = tools.findIndex(([tool]) => tool === name);
    return i < 0 ? null : runs[i];
  };
  const limitRuns = runsOf(LIMIT);
  const startedRuns = runsOf(LIMIT_STARTED);
  for (const [i, [tool, cmd]] of tools.entries()) {
    const { seconds, cpu } = runs[i].reduce((a, b) => b.seconds < a.seconds ? b : a);
    rows.push({
      case: name,
      tool,
      seconds,
      rate: n / seconds,
      cpu,
      // The mean number of CPUs in use over a run (CPU s / seconds): what is left of the machine's
      // CPUs was idle. A median over the rounds, since it moves less with the host's speed.
      note: `${(cpu / n * 1000).toFixed(2)} ms CPU/task, ${
        median(runs[i].map((r) => r.cpu / r.seconds)).toFixed(2)
      } CPUs busy`,
      cmd,
      ...(limitRuns && tool !== LIMIT
        ? { perRound: runs[i].map((r, k) => limitRuns[k].seconds / r.seconds) }
        : {}),
      ...(startedRuns && tool === "disbatch"
        ? { perRoundStarted: runs[i].map((r, k) => startedRuns[k].seconds / r.seconds) }
        : {}),
    });
  }
}

/** Peak RSS (kB) of the driver and of the engine during the first `seconds`. */
async function memory(dir: string, lines: number, seconds: number): Promise<[number, number]> {
  const tf = await taskFile(dir, `mem${lines}.tasks`, lines, "true");
  const child = new Deno.Command(LAUNCHER, {
    args: ["-s", "localhost:2", "-p", `${dir}/mem${lines}`, tf],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let driver = 0, engine = 0;
  let exited = false;
  child.status.then(() => exited = true);
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end && !exited) {
    await new Promise((r) => setTimeout(r, 200));
    const ps = await sh("ps -eo rss=,args=", dir);
    for (const l of ps.out.split("\n")) {
      const m = l.trim().match(/^(\d+)\s+(.*)$/);
      // This run's processes only (an engine's argv names the run's helper script): other
      // runs on the machine have engines too.
      if (!m || !m[2].includes(`${dir}/mem${lines}`)) continue;
      const rss = Number(m[1]);
      if (m[2].includes("--engine")) engine = Math.max(engine, rss);
      else if (m[2].includes("main.ts -s localhost:2")) driver = Math.max(driver, rss);
    }
  }
  if (!exited) Deno.kill(child.pid, "SIGTERM");
  await child.status;
  return [driver, engine];
}

/** 3,000 trivial tasks over 12 slots of the 3-node lab cluster, when it is up (scripts/LAB.md). */
async function slurm(dir: string): Promise<void> {
  let conf: string | undefined;
  try {
    conf = Deno.readTextFileSync("/tmp/disbatch-lab/c3/env.sh").match(/SLURM_CONF=(\S+)/)?.[1];
  } catch {
    // lab down
  }
  if (!conf) {
    rows.push({
      case: "3-node Slurm, 3000 x true, 12 slots",
      tool: "disbatch",
      seconds: NaN,
      note: "skipped: lab not up",
    });
    return;
  }
  const env = `SLURM_CONF=${conf}`;
  const tf = await taskFile(dir, "slurm.tasks", 3000, "true");
  // The job's own elapsed time, from sbatch to the job leaving the queue (includes Slurm's start).
  const t0 = performance.now();
  const cmd =
    `${env} sbatch --parsable -N 3 -n 12 -o ${dir}/slurm.out --wrap '${LAUNCHER} -p ${dir}/slurm ${tf}'`;
  const sub = await sh(cmd, dir);
  const job = sub.out.trim().split(/\s+/)[0];
  for (;;) {
    const q = await sh(`${env} squeue -h -j ${job}`, dir);
    if (q.out.trim() === "") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const s = (performance.now() - t0) / 1000;
  const lines = (await sh(`wc -l < ${dir}/slurm_status.txt`, dir)).out.trim();
  rows.push({
    case: "3-node Slurm, 3000 x true, 12 slots",
    tool: "disbatch",
    seconds: s,
    rate: 3000 / s,
    note: `job ${job}, ${lines} status lines, incl. job start`,
    cmd: `${cmd}, then squeue -h -j JOB every 0.1 s until the job is gone`,
  });
}

/**
 * `disbatch --report` of a synthetic 1,000,000-task status file (40 hosts × 25 slots): the time
 * to write the report, its size, and (with Chromium and playwright-core, scripts/test-deps.sh)
 * the time from opening the page to its timeline drawn, as the page measures it.
 */
async function report(dir: string): Promise<void> {
  const n = QUICK ? 100_000 : 1_000_000;
  const bytes = await writeSyntheticStatus(`${dir}/big_status.txt`, n, 40, 25);
  const cmd = `${LAUNCHER} --report ${dir}/big_status.txt -o ${dir}/big_report.html`;
  const { seconds, cpu } = await timeBest(cmd, dir);
  const size = (await Deno.stat(`${dir}/big_report.html`)).size;
  rows.push({
    case: `report of ${n.toLocaleString("en-US")} tasks (${
      (bytes / 1e6).toFixed(0)
    } MB status file)`,
    tool: "disbatch",
    seconds,
    rate: n / seconds,
    cpu,
    note: `HTML ${(size / 1e6).toFixed(2)} MB`,
    cmd,
  });
  const core = `${ROOT}/.tools/node_modules/playwright-core`;
  let haveBrowser = false;
  try {
    haveBrowser = Deno.statSync("/usr/bin/chromium").isFile &&
      Deno.statSync(`${core}/index.mjs`).isFile;
  } catch {
    // no browser: the page is not timed
  }
  const pageCase = `report of ${n.toLocaleString("en-US")} tasks, opened in Chromium`;
  if (!haveBrowser) {
    rows.push({
      case: pageCase,
      tool: "page",
      seconds: NaN,
      note: "skipped: no /usr/bin/chromium or .tools/node_modules/playwright-core " +
        "(scripts/test-deps.sh installs both)",
    });
    return;
  }
  let best = Infinity, seen: Record<string, unknown> = {};
  for (let i = 0; i < REPS; i++) {
    const r = await new Deno.Command("node", {
      args: [`${ROOT}/tests/web/report.mjs`, `${dir}/big_report.html`],
      env: { PLAYWRIGHT_CORE: core },
      stdout: "piped",
    }).output();
    const s = JSON.parse(new TextDecoder().decode(r.stdout));
    const t = s.timings?.drawn;
    if (s.error || s.consoleErrors?.length || typeof t !== "number") {
      throw new Error(`the report page failed: ${JSON.stringify(s).slice(0, 500)}`);
    }
    if (t < best) [best, seen] = [t, s.timings];
  }
  const ms = (k: string) => Math.round(seen[k] as number);
  rows.push({
    case: pageCase,
    tool: "page",
    seconds: best / 1000,
    note:
      `from navigation start: script runs ${ms("start")} ms, bars decoded ${
        ms("decode")
      } ms, charts ${ms("charts")} ms, timeline drawn ${ms("drawn")} ms (${seen.bars} bars), ` +
      `failure and slowest-task tables filled ${ms("taskTables")} ms`,
    cmd: `node tests/web/report.mjs ${dir}/big_report.html (headless /usr/bin/chromium)`,
  });
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "disbatch-bench-" });
  const want = (n: string) => ONLY === null || n === ONLY;
  try {
    if (want("trivial")) {
      const n = QUICK ? 500 : 2000;
      await throughput(dir, `${n} x true, 2 slots`, n, "true", 2, true, true);
      await throughput(dir, `${n} x true, 8 slots`, n, "true", 8, true, true);
    }
    if (want("sleep")) {
      const n = QUICK ? 40 : 200;
      await throughput(
        dir,
        `${n} x sleep 0.1, 2 slots (ideal ${(n * 0.1 / 2).toFixed(1)} s)`,
        n,
        "sleep 0.1",
        2,
      );
    }
    if (want("scale")) {
      for (const n of QUICK ? [1000, 10_000] : [1000, 10_000, 100_000]) {
        const tf = await taskFile(dir, `scale${n}.tasks`, n, "true");
        const cmd = `${LAUNCHER} -s localhost:2 -p ${dir}/scale ${tf}`;
        // 100,000 spawns take minutes on a slow machine: one run of that size.
        const reps = n >= 100_000 ? 1 : REPS;
        const { seconds: s, cpu } = await timeBest(cmd, dir, `rm -f ${dir}/scale_*`, reps);
        rows.push({
          case: `scaling: ${n} x true`,
          tool: "disbatch",
          seconds: s,
          rate: n / s,
          cpu,
          note: `${(s / n * 1e6).toFixed(0)} µs/task${reps === 1 && REPS > 1 ? ", one run" : ""}`,
          cmd,
        });
      }
    }
    if (want("memory")) {
      const secs = QUICK ? 8 : 20;
      const [d1, e1] = await memory(dir, 1000, secs);
      const [d2, e2] = await memory(dir, 1_000_000, secs);
      // A plain local run's engine runs inside the driver: no engine process to measure.
      const engine = (kb: number) =>
        kb === 0 ? "engine inside the driver" : `engine ${(kb / 1024).toFixed(1)} MB`;
      rows.push({
        case: `peak RSS, 1,000-line file, first ${secs} s`,
        tool: "disbatch",
        seconds: NaN,
        note: `driver ${(d1 / 1024).toFixed(1)} MB, ${engine(e1)}`,
      });
      rows.push({
        case: `peak RSS, 1,000,000-line file, first ${secs} s`,
        tool: "disbatch",
        seconds: NaN,
        note: `driver ${(d2 / 1024).toFixed(1)} MB (+${((d2 - d1) / 1024).toFixed(1)}), ${
          engine(e2)
        }`,
        cmd: `${LAUNCHER} -s localhost:2 -p ${dir}/memN ${dir}/memN.tasks (N = 1000, 1000000),` +
          ` sampled with ps -eo rss=,args= every 0.2 s`,
      });
    }
    if (want("slurm")) await slurm(dir);
    if (want("capacity")) {
      // The driver alone: protocol-level engines over real TCP answer every task at once.
      const n = QUICK ? 20_000 : 200_000;
      for (const engines of [64, 256, 1024]) await capacity(engines, 16, n, "driver capacity");
    }
    if (want("huge")) {
      // Memory flat in the number of tasks, and status writing keeping up, at 10^5 to 10^6
      // (10^7 with --huge) lines of task file and status file.
      const sizes = QUICK ? [10_000, 100_000] : HUGE ? [100_000, 1_000_000, 10_000_000] : [
        100_000,
        1_000_000,
      ];
      for (const n of sizes) await capacity(64, 16, n, "huge file");
    }
    if (want("latency")) {
      const tf = await taskFile(dir, "one.tasks", 1, "true");
      const cmd = `${LAUNCHER} -s localhost:1 -p ${dir}/one ${tf}`;
      const { seconds: s, cpu } = await timeBest(cmd, dir, `rm -f ${dir}/one_*`);
      rows.push({
        case: "one task end to end (start-up latency)",
        tool: "disbatch",
        seconds: s,
        cpu,
        cmd,
      });
    }
    if (want("report")) await report(dir);
    if (want("resume")) await resume(dir, QUICK ? 100_000 : 1_000_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  results(dir);
}

/**
 * One driver_load.ts run: E engines × C cylinders of protocol-level engines answering N tasks;
 * the status file must have exactly N lines.
 */
async function capacity(engines: number, cylinders: number, n: number, what: string) {
  const r = await driverLoad(engines, cylinders, n);
  if (r.exitCode !== 0 || r.statusLines !== n) {
    throw new Error(`${what} ${engines}x${cylinders}: exit ${r.exitCode}, ${r.statusLines} lines`);
  }
  rows.push({
    case: `${what}: ${engines} engines x ${cylinders} slots = ${engines * cylinders} slots, ${
      n.toLocaleString("en-US")
    } tasks`,
    tool: "disbatch",
    seconds: r.seconds,
    rate: r.tasksPerSecond,
    note: `driver ${r.driverCpuUsPerTask.toFixed(1)} µs CPU/task, peak RSS ${
      r.driverPeakRssMb.toFixed(1)
    } MB, ${r.statusLines.toLocaleString("en-US")} status lines`,
    cmd: `deno run -A scripts/driver_load.ts --engines ${engines} --cylinders ${cylinders} ` +
      `--tasks ${n}`,
  });
}

/**
 * Resume of a finished run in which every task succeeded: disbatch `-r` (index the old status
 * file, check every task against its record, write an S line each) against two awk joins of the
 * same two files (status into an array, then stream the task file), with peak RSS: one that
 * decides as -r does (the id succeeded with this very command: issue #16's peer, 3.6–4.2 s
 * there) and one that keeps only the ids (a lower bound: it never compares the command and
 * writes nothing).
 */
async function resume(dir: string, n: number): Promise<void> {
  const tasks = await Deno.open(`${dir}/resume.tasks`, { write: true, create: true });
  const status = await Deno.open(`${dir}/resume_status.txt`, { write: true, create: true });
  const enc = new TextEncoder();
  for (let i = 0; i < n; i += 10_000) {
    const t: string[] = [];
    const st: string[] = [];
    for (let id = i; id < Math.min(n, i + 10_000); id++) {
      const cmd = `./analyse --input data/${id}.h5 --seed ${id * 7}`;
      t.push(cmd);
      st.push(formatStatusLine({
        kind: "N",
        taskId: id,
        line: id + 1,
        repeat: -1,
        host: `node${id % 40}`,
        pid: 10_000 + id,
        rc: 0,
        start: 1_790_000_000 + id / 100,
        finish: 1_790_000_000 + id / 100 + 20,
        outBytes: 12,
        outSnippet: `result ${id}\n`,
        errBytes: 0,
        errSnippet: "",
        command: enc.encode(cmd),
      }));
    }
    await tasks.write(enc.encode(t.join("\n") + "\n"));
    await status.write(enc.encode(st.join("\n") + "\n"));
  }
  tasks.close();
  status.close();
  const cases: [string, string, string][] = [
    [
      "disbatch",
      `${LAUNCHER} -r ${dir}/resume_status.txt -s localhost:1 -p ${dir}/resumed ${dir}/resume.tasks`,
      `rm -f ${dir}/resumed_*`,
    ],
    [
      // The same decision as -r: an id is skipped when its record succeeded with this command.
      "awk join (id and command)",
      `awk -F'\t' 'NR==FNR { if ($7 == 0) ok[$2] = $15; next } ` +
      `!((FNR - 1) in ok) || ok[FNR - 1] != $0' ` +
      `${dir}/resume_status.txt ${dir}/resume.tasks > ${dir}/awk.out`,
      "true",
    ],
    [
      // A lower bound: ids only, the command never compared.
      "awk join (ids only)",
      `awk -F'\t' 'NR==FNR { if ($7 == 0) ok[$2] = 1; next } !((FNR - 1) in ok)' ` +
      `${dir}/resume_status.txt ${dir}/resume.tasks > ${dir}/awk.out`,
      "true",
    ],
  ];
  for (const [tool, cmd, reset] of cases) {
    const { seconds, cpu } = await timeBest(cmd, dir, reset);
    await sh(reset, dir);
    // GNU time reports the largest peak RSS among the command's processes.
    await Deno.writeTextFile(`${dir}/cmd.sh`, cmd);
    await sh(`/usr/bin/time -f %M -o ${dir}/rss bash ${dir}/cmd.sh > /dev/null`, dir);
    const rss = Number((await Deno.readTextFile(`${dir}/rss`)).trim().split("\n").pop());
    rows.push({
      case: `resume of a finished ${n}-task run (every task skipped)`,
      tool,
      seconds,
      rate: n / seconds,
      cpu,
      note: `peak RSS ${(rss / 1024).toFixed(0)} MB`,
      cmd,
    });
  }
}

function results(tmp: string): void {
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1] ?? "?";
  const lines = [
    `# Benchmark results`,
    ``,
    `Machine: ${navigator.hardwareConcurrency} cores (${cpu}), ${
      (Deno.systemMemoryInfo().total / 2 ** 30).toFixed(0)
    } GiB;`,
    `Deno ${Deno.version.deno}; run ${
      new Date().toISOString()
    }; best of ${REPS}. Command: \`deno task bench${QUICK ? " --quick" : ""}\`.`,
    ``,
    `| case | tool | seconds | tasks/s | CPU s | note |`,
    `|---|---|---:|---:|---:|---|`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.case} | ${r.tool} | ${Number.isNaN(r.seconds) ? "" : r.seconds.toFixed(3)} | ${
        r.rate ? r.rate.toFixed(0) : ""
      } | ${r.cpu === undefined ? "" : r.cpu.toFixed(2)} | ${r.note ?? ""} |`,
    );
  }
  const byCase = new Map<string, Row[]>();
  for (const r of rows) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  lines.push("", "Ratios (disbatch throughput / peer):", "");
  for (const [c, rs] of byCase) {
    const d = rs.find((r) => r.tool === "disbatch");
    const peers = rs.filter((r) =>
      r.tool !== "disbatch" && r.tool !== LIMIT && r.tool !== DENO_LOOP && r.rate
    );
    for (const p of peers) {
      lines.push(`- ${c}: ${(d!.rate! / p.rate!).toFixed(2)} × ${p.tool}`);
    }
  }
  const limits = rows.filter((r) => r.tool === LIMIT && r.rate);
  if (limits.length > 0) {
    lines.push(
      "",
      "Ratios to the limit (throughput / that of scripts/spawn_limit.c: posix_spawn of" +
        " `bash -c LINE` in a new session, N at a time, nothing recorded):",
      "",
    );
    for (const l of limits) {
      for (const p of byCase.get(l.case)!.filter((r) => r.tool !== LIMIT && r.rate)) {
        const rounds = p.perRound ? `; ${roundByRound(p.perRound)}` : "";
        lines.push(
          `- ${l.case}: ${p.tool} ${(p.rate! / l.rate!).toFixed(2)} × the limit (best runs)` +
            rounds,
        );
      }
    }
    const started = rows.filter((r) => r.perRoundStarted);
    if (started.length > 0) {
      lines.push(
        "",
        `Ratios to the limit after ${STARTUP_MS} ms start-up (the same loop, started the way a` +
          " program with a runtime starts; see bench/RESULTS.md, session 13):",
        "",
      );
      for (const d of started) {
        const s = byCase.get(d.case)!.find((r) => r.tool === LIMIT_STARTED && r.rate);
        if (!s) continue;
        lines.push(
          `- ${d.case}: disbatch ${(d.rate! / s.rate!).toFixed(2)} × (best runs); ` +
            roundByRound(d.perRoundStarted!),
        );
      }
    }
  }
  lines.push(
    "",
    "CPU s: user + system seconds of the whole process tree (the command, every process it" +
      " started, their tasks) in the fastest repetition, from this process's reaped-children" +
      " times in /proc/self/stat. CPUs busy (throughput cases): CPU s / seconds of each run," +
      ` median over the runs; what is left of the machine's ${navigator.hardwareConcurrency}` +
      " CPUs was idle.",
    "",
    "Exact commands (`$T` is the run's temporary directory, `$R` the repository; each timed" +
      " command runs under `bash -c` and the best of the repetitions counts):",
    "",
  );
  for (const r of rows.filter((r) => r.cmd)) {
    lines.push(
      `- ${r.case}, ${r.tool}: \`${r.cmd!.replaceAll(tmp, "$T").replaceAll(ROOT, "$R")}\``,
    );
  }
  const text = lines.join("\n") + "\n";
  console.log(text);
  // Only a full run replaces the recorded results; the hand-written analysis after the marker
  // stays.
  if (QUICK || ONLY !== null) return;
  const path = `${ROOT}/bench/RESULTS.md`;
  let analysis = "";
  try {
    const old = Deno.readTextFileSync(path);
    const at = old.indexOf(ANALYSIS_MARKER);
    if (at >= 0) analysis = "\n" + old.slice(at);
  } catch {
    // first run
  }
  Deno.mkdirSync(`${ROOT}/bench`, { recursive: true });
  Deno.writeTextFileSync(path, text + analysis);
}

await main();
