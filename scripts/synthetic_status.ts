/**
 * Writes a synthetic status file of a big run for the report benchmark: `tasks` tasks on
 * `hosts` × `slots` slots, log-normal durations (median 20 s), 1 % failures, 0.5 % failed
 * attempts retried (Z lines), one barrier half way. Deterministic (seeded).
 * @module
 */
import { formatStatusLine } from "../src/status/status_line.ts";
import type { TaskRecord } from "../src/status/task_record.ts";
import { MinHeap } from "../src/report/min_heap.ts";

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the file; returns its size in bytes. */
export async function writeSyntheticStatus(
  path: string,
  tasks: number,
  hosts: number,
  slots: number,
): Promise<number> {
  const rand = rng(17);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const t0 = 1_790_000_000;
  const free = new MinHeap(); // (time the slot is free, slot)
  for (let s = 0; s < hosts * slots; s++) free.push(t0 + s * 0.01, s);
  const enc = new TextEncoder();
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  let chunk: string[] = [], size = 0;
  const flush = async () => {
    const b = enc.encode(chunk.join(""));
    size += b.length;
    await f.write(b);
    chunk = [];
  };
  const barrierAt = Math.floor(tasks / 2);
  let barrierStart = 0, lastFinish = t0;
  for (let id = 0; id < tasks; id++) {
    let start = free.peekKey()!;
    const slot = free.pop()!;
    if (id === barrierAt) {
      // Every slot waits for the last task before the barrier.
      barrierStart = start;
      const at = lastFinish;
      chunk.push(formatStatusLine(record("B", id, "driver", 1, 0, barrierStart, at, "")) + "\n");
      while (free.size > 0) free.pop();
      for (let s = 0; s < hosts * slots; s++) if (s !== slot) free.push(at + 0.01, s);
      start = at + 0.01;
    }
    const host = `node${String(Math.floor(slot / slots) + 1).padStart(3, "0")}`;
    const cmd = `./simulate --seed ${id} --out /data/run/out_${id}.h5`;
    const dur = Math.max(0.01, 20 * Math.exp(0.8 * normal()));
    let t = start;
    if (rand() < 0.005) { // a failed attempt, retried at once on the same slot
      const d = dur * rand();
      chunk.push(formatStatusLine(record("Z", id, host, 2, 1, t, t + d, cmd)) + "\n");
      t += d + 0.005;
    }
    const rc = rand() < 0.01 ? 1 : 0;
    chunk.push(formatStatusLine(record("N", id, host, rc, rc, t, t + dur, cmd)) + "\n");
    lastFinish = Math.max(lastFinish, t + dur);
    free.push(t + dur + 0.002 + 0.01 * rand(), slot);
    if (chunk.length >= 10_000) await flush();
  }
  await flush();
  f.close();
  return size;
}

function record(
  kind: TaskRecord["kind"],
  id: number,
  host: string,
  rc: number,
  errBytes: number,
  start: number,
  finish: number,
  cmd: string,
): TaskRecord {
  return {
    kind,
    taskId: id,
    line: id + 2,
    repeat: -1,
    host,
    pid: kind === "B" ? 4242 : 10_000 + (id % 50_000),
    rc,
    start,
    finish,
    outBytes: 24,
    outSnippet: kind === "B" ? "" : `seed ${id}: 1024 samples\n`,
    errBytes: errBytes ? 31 : 0,
    errSnippet: errBytes ? "error: simulation diverged\n" : "",
    command: new TextEncoder().encode(kind === "B" ? "#DISBATCH BARRIER" : cmd),
  };
}
