import assert from "node:assert/strict";
import type { RecordKind, TaskRecord } from "../status/task_record.ts";
import { decodeBars, encodeBars, OUTCOME } from "./bar_codec.ts";
import { reportData } from "./report_data.ts";
import { StatusColumns } from "./status_columns.ts";

const T = 1_700_000_000;

function rec(
  kind: RecordKind,
  taskId: number,
  host: string,
  start: number,
  finish: number,
  rc = 0,
  extra: Partial<TaskRecord> = {},
): TaskRecord {
  return {
    kind,
    taskId,
    line: taskId + 1,
    repeat: -1,
    host,
    pid: 100 + taskId,
    rc,
    start: T + start,
    finish: T + finish,
    outBytes: 0,
    outSnippet: "",
    errBytes: rc ? 5 : 0,
    errSnippet: rc ? "oops\n" : "",
    command: new TextEncoder().encode(`task ${taskId}`),
    ...extra,
  };
}

/** A run on n1 (2 slots, from its driver log) and n2 (estimated), then a resume of it. */
function columns(): StatusColumns {
  const c = new StatusColumns();
  const run: TaskRecord[] = [
    rec("P", 0, "n1", 0, 1),
    rec("N", 0, "n1", 1, 11),
    rec("Z", 1, "n1", 1, 3, 2), // retried attempt
    rec("N", 1, "n1", 3, 5),
    rec("Z", 2, "n2", 0, 4, -100, { pid: -1 }), // lost with its engine
    rec("N", 2, "n2", 4, 20, 7),
    rec("B", 3, "n1", 5, 20, 0, { command: new TextEncoder().encode("#DISBATCH BARRIER") }),
    rec("N", 4, "n2", 20, 40, 1),
  ];
  for (const r of run) c.add(r, 0);
  // The resume (file 1) skips tasks 0, 1 and reruns 2 (succeeds) and 4 (fails again).
  const resume: TaskRecord[] = [
    rec("S", 0, "n1", 1, 11),
    rec("S", 1, "n1", 3, 5),
    rec("N", 2, "n1", 100, 110),
    rec("N", 4, "n1", 100, 130, 3),
  ];
  for (const r of resume) c.add(r, 1);
  return c;
}

const files = [
  { name: "run_status.txt", slots: new Map([["n1", 2]]) },
  { name: "resume_status.txt", slots: null },
];

Deno.test("summary of a run and its resume: the last record of each task counts", () => {
  const d = reportData(columns(), files, 3);
  assert.deepEqual(d.sources, ["run_status.txt", "resume_status.txt"]);
  const s = d.summary;
  assert.equal(s.tasks, 4); // lines 1, 2, 3, 5 (the barrier is not a task)
  assert.equal(s.failed, 1); // task 4 failed twice; task 2 succeeded on resume
  assert.equal(s.succeeded, 3);
  assert.equal(s.skipped, 2);
  assert.equal(s.retriedAttempts, 1);
  assert.equal(s.lostAttempts, 1);
  assert.equal(s.perEngineRuns, 1);
  assert.equal(s.barriers, 1);
  assert.equal(s.hosts, 2);
  assert.equal(s.firstStart, T);
  assert.equal(s.lastFinish, T + 130);
  assert.equal(s.wallSeconds, 40 + 30); // each file's span, not the gap between them
  // used: 1 + 10 + 2 + 2 + 4 + 16 + 20 (run) + 10 + 30 (resume)
  assert.equal(s.slotSecondsUsed, 95);
  // run: n1 2 slots (log) + n2 1 (estimated) over 40 s; resume: n1 2 (estimated: it ran two
  // tasks at once) over 30 s
  assert.equal(s.slotSecondsAvailable, 3 * 40 + 2 * 30);
  assert.equal(s.utilization, 95 / 180);
  assert.equal(s.throughput, 6 / 70);
  assert.equal(s.slotSource, "partly estimated");
  assert.equal(d.ignoredLines, 3);
});

Deno.test("per-host rows, sorted by name, with percentiles of normal tasks", () => {
  const d = reportData(columns(), files);
  const rows = d.hosts.map((
    h,
  ) => [
    h.host,
    h.slots,
    h.slotsEstimated,
    h.lanes,
    h.tasks,
    h.failed,
    h.retried,
    h.lost,
    h.median,
    h.p95,
    h.busySeconds,
  ]);
  assert.deepEqual(rows, [
    ["n1", 2, true, 2, 4, 1, 1, 0, 10, 30, 1 + 10 + 2 + 2 + 10 + 30],
    ["n2", 1, true, 1, 2, 2, 0, 1, 16, 20, 4 + 16 + 20],
  ]);
  assert.equal(d.hosts[0].utilization, 55 / (2 * 40 + 2 * 30));
  assert.equal(d.hosts[1].utilization, 40 / 40);
});

Deno.test("failures listed are the final failed records; slowest by duration", () => {
  const d = reportData(columns(), files);
  assert.equal(d.failuresTotal, 1);
  assert.deepEqual(d.failures.map((f) => [f.taskId, f.rc, f.host, f.errSnippet, f.command]), [
    [4, 3, "n1", "oops\n", "task 4"],
  ]);
  assert.deepEqual(d.slowest.slice(0, 3).map((f) => [f.taskId, f.finish - f.start]), [
    [4, 30],
    [4, 20],
    [2, 16],
  ]);
  assert.deepEqual(d.barrierMarks, [{
    kind: "B",
    taskId: 3,
    time: T + 20,
    command: "#DISBATCH BARRIER",
  }]);
});

Deno.test("lanes per host and bars coloured by outcome, lane by lane", () => {
  const d = reportData(columns(), files);
  assert.deepEqual(d.laneHost, [0, 0, 1]);
  const b = decodeBars(encodeBars(d.bars, d.t0));
  const lanes = [0, 1, 2].map((l) => {
    const out = [];
    for (let k = b.laneStart[l]; k < b.laneStart[l + 1]; k++) {
      out.push([b.taskId[k], b.start[k], b.outcome[k]]);
    }
    return out;
  });
  assert.deepEqual(lanes, [
    [[0, 0, OUTCOME.perEngine], [0, 1, OUTCOME.ok], [2, 100, OUTCOME.ok]],
    [[1, 1, OUTCOME.retried], [1, 3, OUTCOME.ok], [4, 100, OUTCOME.failed]],
    [[2, 0, OUTCOME.lost], [2, 4, OUTCOME.failed], [4, 20, OUTCOME.failed]],
  ]);
  assert.equal(d.barsTotal, 9);
});

Deno.test("series: running tasks, slots and completions per bucket", () => {
  const d = reportData(columns(), files, 0, { buckets: 13, failures: 10, bars: 100 });
  assert.equal(d.series.width, 10);
  const sum = (a: number[]) => Math.round(a.reduce((x, y) => x + y, 0) * 1e6) / 1e6;
  assert.equal(sum(d.series.running) * 10, 95); // mean running × width = slot-seconds used
  assert.equal(sum(d.series.slots) * 10, 180);
  assert.equal(sum(d.series.completions), 6);
  assert.equal(sum(d.series.failures), 3);
  assert.deepEqual(d.series.running.slice(0, 5).map((v) => Math.round(v * 1e9) / 1e9), [
    2.4,
    1.1,
    1,
    1,
    0,
  ]);
  assert.deepEqual(d.histogram.counts.reduce((a, b) => a + b, 0), 6);
});

Deno.test("over the bar limit, successful tasks are thinned and all others kept", () => {
  const c = new StatusColumns();
  for (let k = 0; k < 100; k++) c.add(rec("N", k, "h", k, k + 1, k % 10 === 0 ? 1 : 0), 0);
  const d = reportData(c, [{ name: "s", slots: null }], 0, { buckets: 10, failures: 3, bars: 40 });
  const b = d.bars;
  assert.equal(d.barsTotal, 100);
  assert.ok(b.start.length >= 38 && b.start.length <= 41, String(b.start.length));
  assert.equal([...b.outcome].filter((o) => o === OUTCOME.failed).length, 10);
  assert.equal(d.failures.length, 3);
  assert.equal(d.failuresTotal, 10);
  assert.equal(d.summary.slotSource, "estimated");
});

Deno.test("no records: an empty report, no NaN where counts are expected", () => {
  const d = reportData(new StatusColumns(), [{ name: "empty", slots: null }]);
  assert.equal(d.summary.tasks, 0);
  assert.equal(d.summary.wallSeconds, 0);
  assert.ok(Number.isNaN(d.summary.utilization));
  assert.deepEqual(d.laneHost, []);
  assert.equal(d.bars.start.length, 0);
  assert.deepEqual(d.histogram, { edges: [], counts: [] });
});
