/**
 * Tasks that record themselves, for the tests of `#DISBATCH RESOURCES` (tests/sized_tasks_test.ts
 * and the lab's): each writes when it ran (its own clock readings, inside the time its engine
 * held its resources) and what it was given.
 * @module
 */
import { writeTasks } from "./helpers.ts";

/**
 * `./rec.sh SECONDS`: sleeps, then writes `rec/<task id>` with its start and end (ns), its
 * host, DISBATCH_CORES_PER_TASK, DISBATCH_MEM and its GPU ids (MY_GPUS, CUDA_VISIBLE_DEVICES).
 */
export const REC_SH = `#!/bin/sh
s=$(date +%s%N)
sleep "$1"
e=$(date +%s%N)
echo "$s $e $(hostname) $DISBATCH_CORES_PER_TASK \${DISBATCH_MEM:--} \${MY_GPUS:--} \${CUDA_VISIBLE_DEVICES:--}" > rec/$DISBATCH_TASKID
`;

/** What a task recorded. */
export interface Rec {
  id: number;
  start: number;
  end: number;
  host: string;
  cores: number;
  mem: string;
  gpus: string[];
  cuda: string;
}

/** Writes `rec.sh`, an empty `rec/` and the task file `name` of `tasks` in `dir`. */
export async function setUp(dir: string, tasks: string[], name = "tasks"): Promise<void> {
  await writeTasks(`${dir}/rec.sh`, REC_SH);
  await Deno.chmod(`${dir}/rec.sh`, 0o755);
  await Deno.mkdir(`${dir}/rec`, { recursive: true });
  await writeTasks(`${dir}/${name}`, tasks.join("\n") + "\n");
}

/** The records in `dir/rec`, by task id. */
export async function records(dir: string): Promise<Map<number, Rec>> {
  const out = new Map<number, Rec>();
  for await (const f of Deno.readDir(`${dir}/rec`)) {
    const text = await Deno.readTextFile(`${dir}/rec/${f.name}`);
    const [s, e, host, cores, mem, gpus, cuda] = text.trim().split(" ");
    out.set(Number(f.name), {
      id: Number(f.name),
      start: Number(s),
      end: Number(e),
      host,
      cores: Number(cores),
      mem,
      gpus: gpus === "-" ? [] : gpus.split(","),
      cuda,
    });
  }
  return out;
}

/** The largest sum of `weight` over tasks running at one instant. */
export function peak(recs: Iterable<Rec>, weight: (r: Rec) => number): number {
  const all = [...recs];
  let max = 0;
  for (const r of all) {
    const at = all.filter((o) => o.start <= r.start && r.start < o.end);
    max = Math.max(max, at.reduce((n, o) => n + weight(o), 0));
  }
  return max;
}

/** Pairs of tasks that ran at once on one host holding a common GPU id, as `a+b:ids`. */
export function sharedGpus(recs: Iterable<Rec>): string[] {
  const all = [...recs];
  const out: string[] = [];
  for (const a of all) {
    for (const b of all) {
      if (a.id >= b.id || a.host !== b.host || a.end <= b.start || b.end <= a.start) continue;
      const shared = a.gpus.filter((g) => b.gpus.includes(g));
      if (shared.length > 0) out.push(`${a.id}+${b.id}:${shared}`);
    }
  }
  return out;
}

/** `n` copies of `line`. */
export function times(n: number, line: string): string[] {
  return Array.from({ length: n }, () => line);
}
