/**
 * Driver capacity: how many tasks per second one driver assigns, records and answers when no
 * bash is in the way. Starts a real driver (`scripts/disbatch -S`, no context of its own) on a
 * file of N tasks, then joins it as one context and E protocol-level engines over real TCP
 * (docs/protocol.md), each with C cylinders, that answer every task at once with exit 0.
 *
 *   deno run -A scripts/driver_load.ts [--engines E] [--cylinders C] [--tasks N] [--json]
 *     [--cpu-prof DIR]
 *
 * Engines say they are ready once all have joined. Prints tasks/s (first assignment to the last
 * result), the driver's CPU µs per task over the same span, its peak
 * RSS, and the status file's line count (every task must be recorded once). `--cpu-prof DIR`
 * runs the driver under `deno run --cpu-prof` (V8's sampling profiler) and leaves its
 * `.cpuprofile` in DIR.
 * @module
 */
import { connectToDriver, orderAddresses } from "../src/net/connect.ts";
import type { Connection } from "../src/net/connection.ts";
import { parseDbUtil } from "../src/protocol/db_util_script.ts";

/** What one load run measured. */
export interface LoadResult {
  engines: number;
  cylinders: number;
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
  driverCpuUsPerTask: number;
  driverPeakRssMb: number;
  statusLines: number;
  exitCode: number;
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const CLK_TCK = 100;

function flag(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** utime + stime of a live process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** VmHWM of a live process, in MB. */
function peakRssMb(pid: number): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmHWM:\s+(\d+) kB$/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** At most `n` at a time through {@link Gate.run}. */
class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await f();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/**
 * Registers one fake engine. Engines join a few at a time (see {@link Gate}), as a context
 * starts them: thousands of handshakes at once could outlast the handshake timeout on a loaded
 * machine.
 */
async function register(
  addrs: string[],
  secret: string,
  contextRank: number,
  node: string,
  cylinders: number,
): Promise<Connection> {
  const conn: Connection = await connectToDriver(addrs, secret, "engine");
  conn.send({
    t: "eng_register",
    contextRank,
    node,
    host: node,
    pid: Deno.pid,
    cylinders,
    coresPerCylinder: 1,
  });
  const accept = await conn.next(30_000);
  if (!accept || accept.t !== "eng_accept") throw new Error(`${node}: not accepted`);
  return conn;
}

/**
 * Runs a registered fake engine until the driver ends it: it says it is ready once `start`
 * resolves (every engine has joined), then answers every task at once.
 */
async function answerTasks(
  conn: Connection,
  cylinders: number,
  start: Promise<void>,
  onTask: () => void,
): Promise<void> {
  let cyl = 0;
  const ended = new Promise<void>((resolve) => {
    conn.attach({
      message: (m) => {
        switch (m.t) {
          case "pe_end":
            start.then(() => conn.send({ t: "ready" }));
            return;
          case "task": {
            const now = Date.now() / 1000;
            onTask();
            conn.send({
              t: "result",
              kind: "N",
              id: m.id,
              cyl: cyl = (cyl + 1) % cylinders,
              pid: 1,
              rc: 0,
              start: now,
              finish: now,
              outBytes: 0,
              outSnippet: "",
              errBytes: 0,
              errSnippet: "",
            });
            return;
          }
          case "drain":
            conn.send({ t: "stopped" });
            return;
          case "ping":
            conn.send({ t: "pong" });
            return;
          case "run_done":
          case "bye":
            conn.close();
            return;
        }
      },
      closed: () => resolve(),
    });
  });
  await ended;
}

/** A task file of `n` lines `true`, written in blocks. */
async function writeTrueTasks(path: string, n: number): Promise<void> {
  const block = new TextEncoder().encode("true\n".repeat(100_000));
  using f = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let left = n; left > 0; left -= 100_000) {
    const part = block.subarray(0, Math.min(left, 100_000) * 5);
    for (let off = 0; off < part.length;) off += await f.write(part.subarray(off));
  }
}

/** Runs one load case in a temporary directory. */
export async function driverLoad(
  engines: number,
  cylinders: number,
  tasks: number,
  cpuProfDir?: string,
): Promise<LoadResult> {
  const dir = await Deno.makeTempDir({ prefix: "disbatch-load-" });
  try {
    await writeTrueTasks(`${dir}/Tasks`, tasks);
    const run = ["-S", "-p", `${dir}/run`, "Tasks"];
    // The launcher's own command line (scripts/disbatch), with the profiler switched on.
    const [cmd, args] = cpuProfDir === undefined ? [`${ROOT}/scripts/disbatch`, run] : [
      Deno.execPath(),
      ["run", "--quiet", "--allow-all", "--v8-flags=--max-semi-space-size=1", "--no-lock"]
        .concat(["--config", `${ROOT}/deno.json`, "--cpu-prof", "--cpu-prof-dir", cpuProfDir])
        .concat([`${ROOT}/main.ts`, ...run]),
    ];
    const driver = new Deno.Command(cmd, {
      args,
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(driver.stderr).text();
    let exited = false;
    driver.status.then(() => exited = true);
    const script = `${dir}/run_dbUtil.sh`;
    // It checks the whole task file first: 10,000,000 lines take a while on a loaded machine.
    for (let i = 0; !(await exists(script)); i++) {
      if (exited) throw new Error(`the driver ended at start: ${await stderr}`);
      if (i > 6000) throw new Error("the driver wrote no helper script in 5 minutes");
      await new Promise((r) => setTimeout(r, 50));
    }
    const creds = parseDbUtil(await Deno.readTextFile(script));
    const addrs = orderAddresses(creds.addresses, creds.driverHost, Deno.hostname());
    const ctx = await connectToDriver(addrs, creds.secret, "context");
    const nodes = Array.from({ length: engines }, (_, i) => `load${i}`);
    ctx.send({
      t: "ctx_register",
      label: "LOAD",
      sysid: "SSH",
      host: "load",
      pid: Deno.pid,
      nodes,
    });
    const accept = await ctx.next(30_000);
    if (!accept || accept.t !== "ctx_accept") throw new Error("context not accepted");
    ctx.attach({
      message: (m) => (m.t === "bye" || m.t === "run_done") && ctx.close(),
      closed: () => {},
    });

    let first = 0;
    let answered = 0;
    let peak = 0;
    let cpu0 = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, peakRssMb(driver.pid));
      } catch { /* exited */ }
    }, 100);
    const onTask = () => {
      if (answered++ === 0) first = performance.now();
    };
    let last = 0;
    let cpu1 = 0;
    const joining = new Gate(64);
    const joined = nodes.map((node) =>
      joining.run(() => register(addrs, creds.secret, Number(accept.rank), node, cylinders))
    );
    // The driver's CPU is counted from the moment every engine is there.
    const start = Promise.all(joined).then(() => {
      cpu0 = cpuSeconds(driver.pid);
    });
    await Promise.all(nodes.map(async (node, i) => {
      await answerTasks(await joined[i], cylinders, start, () => {
        onTask();
        if (answered === tasks) {
          last = performance.now();
          try {
            cpu1 = cpuSeconds(driver.pid);
            peak = Math.max(peak, peakRssMb(driver.pid));
          } catch { /* exited */ }
        }
      });
      if (!ctx.isClosed) ctx.send({ t: "engine_exit", node, code: 0 });
    }));
    clearInterval(sampler);
    if (!ctx.isClosed) await ctx.bye();
    ctx.close();
    await ctx.done;
    const status = await driver.status;
    const err = await stderr;
    if (err.trim() !== "") console.error(err.trim());
    const statusLines = await countLines(`${dir}/run_status.txt`);
    const seconds = (last - first) / 1000;
    return {
      engines,
      cylinders,
      tasks,
      seconds,
      tasksPerSecond: tasks / seconds,
      driverCpuUsPerTask: (cpu1 - cpu0) * 1e6 / tasks,
      driverPeakRssMb: peak,
      statusLines,
      exitCode: status.code,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Newlines in a file, read in chunks (a status file of millions of lines is a gigabyte). */
async function countLines(path: string): Promise<number> {
  let n = 0;
  // The stream closes the file at its end.
  for await (const chunk of (await Deno.open(path)).readable) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const r = await driverLoad(
    flag(Deno.args, "--engines", 16),
    flag(Deno.args, "--cylinders", 8),
    flag(Deno.args, "--tasks", 100_000),
    Deno.args.includes("--cpu-prof") ? Deno.args[Deno.args.indexOf("--cpu-prof") + 1] : undefined,
  );
  if (Deno.args.includes("--json")) console.log(JSON.stringify(r));
  else {
    console.log(
      `${r.engines} engines × ${r.cylinders} cylinders, ${r.tasks} tasks: ` +
        `${Math.round(r.tasksPerSecond)} tasks/s, driver ${
          r.driverCpuUsPerTask.toFixed(1)
        } µs CPU/task, ` +
        `peak RSS ${
          r.driverPeakRssMb.toFixed(1)
        } MB, ${r.statusLines} status lines, exit ${r.exitCode}`,
    );
  }
}
