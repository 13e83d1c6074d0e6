/**
 * Chaos run (issue "Never lose a task"): 10,000 tasks while engines are SIGKILLed at random
 * and new contexts join; at the end it checks the status file and prints `tasks lost: N`
 * (expected 0). Usage: `deno run -A scripts/chaos.ts [TASKS] [KILLS]`.
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const LAUNCHER = `${ROOT}/scripts/disbatch`;
const TASKS = Number(Deno.args[0] ?? 10_000);
const KILLS = Number(Deno.args[1] ?? 12);

function enginePids(dir: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (cmd.includes("--engine") && cmd.includes(dir) && cmd.includes("main.ts")) {
        out.push(Number(e.name));
      }
    } catch {
      // gone
    }
  }
  return out;
}

const dir = await Deno.makeTempDir({ prefix: "disbatch-chaos-" });
const lines = Array.from({ length: TASKS }, (_, i) => `sleep 0.0${i % 5}; echo ${i}`);
await Deno.writeTextFile(`${dir}/Tasks`, lines.join("\n") + "\n");
const t0 = performance.now();
const driver = new Deno.Command(LAUNCHER, {
  args: ["-s", "localhost:3", "-p", `${dir}/run`, "Tasks"],
  // The run's own engine as a process, so that it can be killed too.
  env: { DISBATCH_ENGINE_PROCESS: "1" },
  cwd: dir,
  stdout: "null",
  stderr: "inherit",
}).spawn();
let finished = false;
driver.status.then(() => finished = true);
const contexts: Deno.ChildProcess[] = [];
let kills = 0;
let joined = 0;
await new Promise((r) => setTimeout(r, 1500));
while (!finished && kills < KILLS) {
  // A new context joins, then (once its engine has registered) a random older engine is
  // killed: a registered engine always remains, so the run can always finish.
  const before = new Set(enginePids(dir));
  const label = `c${joined++}`;
  contexts.push(
    new Deno.Command(`${dir}/run_dbUtil.sh`, {
      args: ["-s", "localhost:3", "-l", label],
      cwd: dir,
      stdout: "null",
      stderr: "null",
    }).spawn(),
  );
  // An engine names its log after the driver accepted it: the log's existence is registration.
  const engineLog = new RegExp(`^run_${label}_.*_engine_\\d+\\.log$`);
  const registered = () => [...Deno.readDirSync(dir)].some((e) => engineLog.test(e.name));
  for (let i = 0; i < 600 && !finished && !registered(); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!registered()) continue;
  const victims = [...before].filter((p) => enginePids(dir).includes(p));
  if (victims.length > 0 && !finished) {
    const v = victims[Math.floor(Math.random() * victims.length)];
    try {
      Deno.kill(v, "SIGKILL");
      kills++;
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
}
const st = await driver.status;
for (const c of contexts) await c.status;
const seconds = (performance.now() - t0) / 1000;

const text = await Deno.readTextFile(`${dir}/run_status.txt`);
const ok = new Set<number>();
let reissued = 0;
for (const line of text.split("\n")) {
  const f = line.split("\t");
  if (f.length < 15) continue;
  if (f[0][3] === "Z") reissued++;
  if (f[0][3] === " " && f[6] === "0") ok.add(Number(f[1]));
}
const lost = TASKS - ok.size;
console.log(`tasks: ${TASKS}, engine kills: ${kills}, attempts re-issued: ${reissued}`);
console.log(`driver exit code: ${st.code}, ${seconds.toFixed(1)} s`);
console.log(`tasks lost: ${lost}`);
await Deno.remove(dir, { recursive: true });
Deno.exit(lost === 0 && st.code === 0 ? 0 : 1);
