import assert from "node:assert/strict";
import { idleReport } from "./idle_cpus.ts";

const sw = (comm: string, pid: number, cpu: number, t: string, next: string, nextPid: number) =>
  `${comm.padStart(16)} ${String(pid).padStart(5)} [00${cpu}] ${t}: sched:sched_switch: ` +
  `prev_comm=${comm} prev_pid=${pid} prev_prio=120 prev_state=S ==> next_comm=${next} ` +
  `next_pid=${nextPid} next_prio=120`;

Deno.test("idle time is put down to the spawner blocked while its child waits elsewhere", () => {
  const trace = [
    "            deno   100 [000] 1.000000: sched:sched_process_fork: comm=deno pid=100 " +
    "child_comm=deno child_pid=200",
    sw("deno", 100, 0, "1.000100", "swapper/0", 0),
    sw("bash", 300, 1, "1.004000", "deno", 200),
    sw("swapper/0", 0, 0, "1.010100", "deno", 100),
    // A bash ends and its CPU idles with no child waiting.
    sw("bash", 301, 0, "1.020000", "swapper/0", 0),
    sw("swapper/0", 0, 0, "1.050000", "bash", 302),
  ].join("\n");
  assert.equal(
    idleReport(trace),
    [
      "spawner 100: 1 children, 0 first ran on the forking CPU",
      "creation to first run: median 4.000, mean 4.000, p90 4.000 ms",
      "idle CPU time over 0.05 s: 0.04 s",
      "  after bash, none waiting: 0.03 s",
      "  after spawner, child waiting: 0.01 s",
    ].join("\n"),
  );
});

Deno.test("a trace without a fork says so", () => {
  assert.equal(idleReport(sw("bash", 1, 0, "1.0", "swapper/0", 0)), "no fork recorded");
});

Deno.test("threads that take turns at spawning are one spawner", () => {
  const fork = (tid: number, t: string, child: number) =>
    `            tokio ${tid} [000] ${t}: sched:sched_process_fork: comm=tokio pid=${tid} ` +
    `child_comm=tokio child_pid=${child}`;
  const trace = [
    fork(10, "1.000000", 200),
    sw("tokio", 10, 0, "1.000100", "deno", 200),
    fork(11, "1.010000", 201),
    sw("tokio", 11, 0, "1.010100", "swapper/0", 0),
    sw("bash", 300, 1, "1.020000", "deno", 201),
    sw("swapper/0", 0, 0, "1.030000", "bash", 302),
  ].join("\n");
  assert.equal(
    idleReport(trace).split("\n")[0],
    "spawner 10, 11: 2 children, 1 first ran on the forking CPU",
  );
  assert.match(idleReport(trace), /after spawner, child waiting: 0\.02 s/);
});
