/**
 * Where a spawner leaves CPUs idle: reads `perf script` output of a system-wide recording of
 * `sched:sched_switch` and `sched:sched_process_fork` (and whatever else was recorded) and
 * prints, for the spawner (the thread that forked most, and any that forked at least a tenth as
 * often):
 *
 * - the time from each child's creation to its first run, and whether it first ran on the
 *   forking CPU;
 * - the CPUs' idle time from the spawner's first fork on, by what ran just before the CPU went
 *   idle and whether a child of the spawner was then waiting for its first run elsewhere.
 *
 * "spawner, child waiting" is the spawner blocked in `posix_spawn` (vfork-style: until the
 * child `exec`s) on a CPU that idles while its child waits behind a task on another CPU
 * (bench/RESULTS.md, session 14). A development tool, for the bench's analysis:
 *
 *     perf record -e sched:sched_switch,sched:sched_process_fork -a -o sw.data -- CMD
 *     perf script -i sw.data | deno run scripts/idle_cpus.ts
 * @module
 */

const EVENT = /^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):(.*)$/;

/** When and on which CPU a child was created. */
interface Fork {
  t: number;
  cpu: number;
}

function field(rest: string, name: string): string {
  return rest.match(new RegExp(`(?:^|\\s)${name}=(\\S*)`))?.[1] ?? "";
}

function quantiles(xs: number[]): string {
  if (xs.length === 0) return "none";
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(3);
  const mean = (s.reduce((a, b) => a + b, 0) / s.length).toFixed(3);
  return `median ${at(0.5)}, mean ${mean}, p90 ${at(0.9)} ms`;
}

/** The report for the `perf script` text `text`. */
export function idleReport(text: string): string {
  const events: [number, number, string, string][] = []; // time, cpu, kind, rest
  for (const line of text.split("\n")) {
    const m = line.match(EVENT);
    if (m) events.push([Number(m[4]), Number(m[3]), m[5], m[6]]);
  }
  const forks = new Map<number, Fork>();
  const forksBy = new Map<number, number>();
  for (const [t, cpu, kind, rest] of events) {
    if (kind !== "sched_process_fork") continue;
    const parent = Number(field(rest, "pid"));
    forks.set(Number(field(rest, "child_pid")), { t, cpu });
    forksBy.set(parent, (forksBy.get(parent) ?? 0) + 1);
  }
  // The spawning threads: a pool of them may take turns (posix_spawn as a non-blocking call).
  const most = Math.max(0, ...forksBy.values());
  if (most === 0) return "no fork recorded";
  const spawners = new Set([...forksBy].filter(([, n]) => n * 10 >= most).map(([tid]) => tid));
  const waiting = new Set<number>();
  const firstRun: number[] = [];
  let onForkingCpu = 0;
  const idleFrom = new Map<number, [number, string]>();
  const idle = new Map<string, number>();
  let first = Infinity, last = 0;
  for (const [t, cpu, kind, rest] of events) {
    if (kind === "sched_process_fork" && spawners.has(Number(field(rest, "pid")))) {
      waiting.add(Number(field(rest, "child_pid")));
      first = Math.min(first, t);
    }
    if (kind !== "sched_switch" || t < first) continue;
    last = t;
    const prev = Number(field(rest, "prev_pid"));
    const next = Number(field(rest, "next_pid"));
    if (waiting.delete(next)) {
      const f = forks.get(next)!;
      firstRun.push((t - f.t) * 1000);
      if (cpu === f.cpu) onForkingCpu++;
    }
    if (next === 0) {
      const who = spawners.has(prev)
        ? "spawner"
        : rest.match(/prev_comm=(.*?) prev_pid=/)?.[1] ?? "?";
      idleFrom.set(cpu, [t, `${who}, ${waiting.size > 0 ? "child waiting" : "none waiting"}`]);
    } else if (prev === 0 && idleFrom.has(cpu)) {
      const [t0, why] = idleFrom.get(cpu)!;
      idleFrom.delete(cpu);
      idle.set(why, (idle.get(why) ?? 0) + t - t0);
    }
  }
  const total = [...idle.values()].reduce((a, b) => a + b, 0);
  const rows = [...idle].sort((a, b) => b[1] - a[1]).filter(([, s]) => s >= 0.005);
  return [
    `spawner ${[...spawners].join(", ")}: ${firstRun.length} children, ` +
    `${onForkingCpu} first ran on the forking CPU`,
    `creation to first run: ${quantiles(firstRun)}`,
    `idle CPU time over ${(last - first).toFixed(2)} s: ${total.toFixed(2)} s`,
    ...rows.map(([why, s]) => `  after ${why}: ${s.toFixed(2)} s`),
  ].join("\n");
}

if (import.meta.main) {
  console.log(idleReport(await new Response(Deno.stdin.readable).text()));
}
