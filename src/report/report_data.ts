/**
 * Everything a run report shows, computed from status columns: the summary, lanes and bars of
 * the timeline, running tasks and completions over time, durations, per-host figures, the
 * failures and the slowest tasks. Pure: no clock, no files.
 * @module
 */
import { type Bars, OUTCOME } from "./bar_codec.ts";
import { BucketSeries, bucketsFor } from "./bucket_series.ts";
import { type DurationHistogram, durationHistogram, percentile } from "./duration_stats.ts";
import { packLanes } from "./pack_lanes.ts";
import { KIND, type StatusColumns, type TaskDetail } from "./status_columns.ts";

/** One status file given to the report. */
export interface ReportFile {
  /** As the user named it. */
  name: string;
  /** Slots per host from the run's driver log; null when not known. */
  slots: Map<string, number> | null;
}

/** Limits of what a report embeds. */
export interface ReportLimits {
  /** Buckets of the time series. */
  buckets: number;
  /** Failures listed. */
  failures: number;
  /** Bars drawn; above it, successful tasks are thinned evenly. */
  bars: number;
}

/** Default {@link ReportLimits}. */
export const DEFAULT_LIMITS: ReportLimits = { buckets: 2000, failures: 1000, bars: 1_500_000 };

/** The report's numbers (seconds; NaN where there is nothing to measure). */
export interface ReportSummary {
  tasks: number;
  succeeded: number;
  failed: number;
  skipped: number;
  retriedAttempts: number;
  lostAttempts: number;
  perEngineRuns: number;
  barriers: number;
  hosts: number;
  firstStart: number;
  lastFinish: number;
  wallSeconds: number;
  slotSecondsUsed: number;
  slotSecondsAvailable: number;
  utilization: number;
  /** Normal tasks completed per second of wall time. */
  throughput: number;
  /** Where slots come from: every host's from driver logs, none, or some. */
  slotSource: "driver log" | "estimated" | "partly estimated";
}

/** One row of the per-host table. */
export interface HostRow {
  host: string;
  slots: number;
  slotsEstimated: boolean;
  lanes: number;
  tasks: number;
  failed: number;
  retried: number;
  lost: number;
  median: number;
  p95: number;
  busySeconds: number;
  utilization: number;
}

/** A failure or slow task as listed. */
export type TaskRow = TaskDetail;

/** Everything the page shows. */
export interface ReportData {
  sources: string[];
  summary: ReportSummary;
  hosts: HostRow[];
  /** Time series: bucket k starts at t0 + k·width; running is the mean in the bucket. */
  series: {
    t0: number;
    width: number;
    running: number[];
    slots: number[];
    completions: number[];
    failures: number[];
  };
  histogram: DurationHistogram;
  failures: TaskRow[];
  failuresTotal: number;
  slowest: TaskRow[];
  barrierMarks: { kind: "B" | "C"; taskId: number; time: number; command: string }[];
  /** The lanes top to bottom: their host (index into {@link hosts}). */
  laneHost: number[];
  bars: Bars;
  /** Time origin of the bars' encoding: the earliest start. */
  t0: number;
  barsTotal: number;
  /** Unparseable lines skipped in the sources. */
  ignoredLines: number;
}

const byName = new Intl.Collator("en", { numeric: true }).compare;

/** Computes the report of the records in `cols` read from `files` (index = record's file). */
export function reportData(
  cols: StatusColumns,
  files: ReportFile[],
  ignoredLines = 0,
  limits: ReportLimits = DEFAULT_LIMITS,
): ReportData {
  const n = cols.size;
  const { kind, file, host, rc, lost, start, finish } = cols;
  const hostCount = cols.hosts.length;

  // Per-file span over everything that ran (not skipped copies of older records).
  const fileLo = new Float64Array(files.length).fill(Infinity);
  const fileHi = new Float64Array(files.length).fill(-Infinity);
  const hostInFile = files.map(() => new Set<number>());
  let drawn = 0;
  for (let i = 0; i < n; i++) {
    if (kind[i] === KIND.S) continue;
    drawn++;
    const f = file[i];
    fileLo[f] = Math.min(fileLo[f], start[i]);
    fileHi[f] = Math.max(fileHi[f], finish[i], start[i]);
    hostInFile[f].add(host[i]);
  }
  for (const b of cols.barriers) {
    fileLo[b.file] = Math.min(fileLo[b.file], b.start);
    fileHi[b.file] = Math.max(fileHi[b.file], b.finish);
  }
  const fileSpan = (f: number) => fileHi[f] > fileLo[f] ? fileHi[f] - fileLo[f] : 0;

  const final = finalRecords(cols, fileLo);

  // Lanes: hosts by name, each packed.
  const ids = new Uint32Array(drawn);
  for (let i = 0, k = 0; i < n; i++) if (kind[i] !== KIND.S) ids[k++] = i;
  const packed = packLanes(ids, host, start, finish, hostCount);
  const hostOrder = [...cols.hosts.keys()].sort((a, b) => byName(cols.hosts[a], cols.hosts[b]));
  const hostRank = new Uint32Array(hostCount);
  hostOrder.forEach((h, r) => hostRank[h] = r);
  const laneOffset = new Uint32Array(hostCount);
  const laneHost: number[] = [];
  for (const h of hostOrder) {
    laneOffset[h] = laneHost.length;
    for (let l = 0; l < packed.lanesPerHost[h]; l++) laneHost.push(hostRank[h]);
  }

  // Slots per host and file: the driver log's, else the most tasks the host ran at once.
  let known = 0, estimated = 0;
  const slotsOf = (f: number, h: number) => {
    const s = files[f].slots?.get(cols.hosts[h]);
    return s !== undefined && s > 0 ? s : undefined;
  };
  let available = 0;
  const hostAvailable = new Float64Array(hostCount);
  const hostSlots = new Float64Array(hostCount);
  const hostEstimated = new Uint8Array(hostCount);
  const t0 = Math.min(...fileLo, Infinity);
  const tEnd = Math.max(...fileHi, -Infinity);
  const buckets = bucketsFor(
    Number.isFinite(t0) ? t0 : 0,
    Number.isFinite(tEnd) ? tEnd : 0,
    limits.buckets,
  );
  const running = new BucketSeries(buckets);
  const slotSeries = new BucketSeries(buckets);
  const completions = new BucketSeries(buckets);
  const failureSeries = new BucketSeries(buckets);
  for (let f = 0; f < files.length; f++) {
    let fileSlots = 0;
    for (const h of hostInFile[f]) {
      const logged = slotsOf(f, h);
      const s = logged ?? packed.lanesPerHost[h];
      if (logged === undefined) {
        estimated++;
        hostEstimated[h] = 1;
      } else known++;
      fileSlots += s;
      hostSlots[h] = Math.max(hostSlots[h], s);
      hostAvailable[h] += s * fileSpan(f);
    }
    available += fileSlots * fileSpan(f);
    if (fileSpan(f) > 0) slotSeries.cover(fileLo[f], fileHi[f], fileSlots);
  }

  // Counts, per-host figures and series.
  let tasks = 0, failed = 0, skipped = 0, retried = 0, lostN = 0, perEngine = 0, completed = 0;
  let used = 0;
  const hostTasks = new Uint32Array(hostCount);
  const hostFailed = new Uint32Array(hostCount);
  const hostRetried = new Uint32Array(hostCount);
  const hostLost = new Uint32Array(hostCount);
  const hostBusy = new Float64Array(hostCount);
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (final[i]) {
      tasks++;
      if (rc[i] !== 0) failed++;
      if (k === KIND.S) skipped++;
    }
    if (k === KIND.S) continue;
    const d = Math.max(finish[i] - start[i], 0);
    used += d;
    hostBusy[host[i]] += d;
    running.cover(start[i], finish[i]);
    if (lost[i]) {
      lostN++;
      hostLost[host[i]]++;
    } else if (k === KIND.Z) {
      retried++;
      hostRetried[host[i]]++;
    }
    if (k === KIND.P) perEngine++;
    if (k !== KIND.N) continue;
    completed++;
    hostTasks[host[i]]++;
    completions.count(finish[i]);
    if (rc[i] !== 0) {
      hostFailed[host[i]]++;
      failureSeries.count(finish[i]);
    }
  }

  // Durations of normal tasks, grouped by host for the percentiles.
  const durations = new Float64Array(completed);
  const hostAt = new Uint32Array(hostCount + 1);
  for (let h = 0; h < hostCount; h++) hostAt[h + 1] = hostAt[h] + hostTasks[h];
  const fill = hostAt.slice(0, hostCount);
  for (let i = 0; i < n; i++) {
    if (kind[i] === KIND.N) durations[fill[host[i]]++] = Math.max(finish[i] - start[i], 0);
  }
  const hosts: HostRow[] = hostOrder.map((h) => {
    const own = durations.subarray(hostAt[h], hostAt[h + 1]).sort();
    return {
      host: cols.hosts[h],
      slots: hostSlots[h],
      slotsEstimated: hostEstimated[h] === 1,
      lanes: packed.lanesPerHost[h],
      tasks: hostTasks[h],
      failed: hostFailed[h],
      retried: hostRetried[h],
      lost: hostLost[h],
      median: percentile(own, 0.5),
      p95: percentile(own, 0.95),
      busySeconds: hostBusy[h],
      utilization: hostAvailable[h] > 0 ? hostBusy[h] / hostAvailable[h] : NaN,
    };
  });

  let wall = 0;
  for (let f = 0; f < files.length; f++) wall += fileSpan(f);

  const failures: TaskRow[] = [];
  for (const [i, d] of cols.failures) {
    if (final[i] && failures.length < limits.failures) failures.push(d);
  }
  failures.sort((a, b) => a.finish - b.finish || a.taskId - b.taskId);

  return {
    sources: files.map((f) => f.name),
    summary: {
      tasks,
      succeeded: tasks - failed,
      failed,
      skipped,
      retriedAttempts: retried,
      lostAttempts: lostN,
      perEngineRuns: perEngine,
      barriers: cols.barriers.length,
      hosts: hostCount,
      firstStart: Number.isFinite(t0) ? t0 : NaN,
      lastFinish: Number.isFinite(tEnd) ? tEnd : NaN,
      wallSeconds: wall,
      slotSecondsUsed: used,
      slotSecondsAvailable: available,
      utilization: available > 0 ? used / available : NaN,
      throughput: wall > 0 ? completed / wall : NaN,
      slotSource: estimated === 0 ? "driver log" : known === 0 ? "estimated" : "partly estimated",
    },
    hosts,
    series: {
      t0: buckets.t0,
      width: buckets.width,
      running: [...running.values()],
      slots: [...slotSeries.values()],
      completions: [...completions.values()],
      failures: [...failureSeries.values()],
    },
    histogram: durationHistogram(durations),
    failures,
    failuresTotal: failed,
    slowest: cols.slowest.map((s) => s.detail),
    barrierMarks: cols.barriers.map((b) => ({
      kind: b.kind,
      taskId: b.taskId,
      time: b.finish,
      command: b.command,
    })),
    laneHost,
    bars: timelineBars(cols, ids, packed, laneOffset, laneHost.length, limits.bars),
    t0: Number.isFinite(t0) ? t0 : 0,
    barsTotal: drawn,
    ignoredLines,
  };
}

/**
 * 1 for each task's last record (N or S): the same task (line and repeat index) may have
 * records in several files (a run and its resumes); the latest file's counts. `fileStart`
 * orders the files in time.
 */
function finalRecords(cols: StatusColumns, fileStart: Float64Array): Uint8Array {
  const { kind, file, line, repeat, size } = cols;
  const final = new Uint8Array(size);
  const single = new Set(Array.from(cols.file.subarray(0, size))).size <= 1;
  const cand: number[] = [];
  for (let i = 0; i < size; i++) {
    if (kind[i] !== KIND.N && kind[i] !== KIND.S) continue;
    if (single) final[i] = 1;
    else cand.push(i);
  }
  if (single) return final;
  const order = Uint32Array.from(cand);
  const when = (i: number) => Number.isFinite(fileStart[file[i]]) ? fileStart[file[i]] : Infinity;
  order.sort((a, b) =>
    line[a] - line[b] || repeat[a] - repeat[b] || when(a) - when(b) || file[a] - file[b] || a - b
  );
  for (let k = 0; k < order.length; k++) {
    const i = order[k], j = order[k + 1];
    if (j === undefined || line[j] !== line[i] || repeat[j] !== repeat[i]) final[i] = 1;
  }
  return final;
}

/** The bars, lane by lane; successful tasks thinned evenly beyond `max` bars. */
function timelineBars(
  cols: StatusColumns,
  ids: Uint32Array,
  packed: ReturnType<typeof packLanes>,
  laneOffset: Uint32Array,
  lanes: number,
  max: number,
): Bars {
  const { kind, host, rc, lost } = cols;
  const outcomeOf = (i: number) =>
    lost[i]
      ? OUTCOME.lost
      : kind[i] === KIND.Z
      ? OUTCOME.retried
      : kind[i] === KIND.P
      ? OUTCOME.perEngine
      : rc[i] !== 0
      ? OUTCOME.failed
      : OUTCOME.ok;
  let okCount = 0;
  for (const i of ids) if (outcomeOf(i) === OUTCOME.ok) okCount++;
  const others = ids.length - okCount;
  const stride = ids.length > max ? okCount / Math.max(1, max - others) : 1;
  const keep = new Uint8Array(ids.length);
  let okSeen = 0, nextOk = 0;
  for (let k = 0; k < ids.length; k++) {
    if (outcomeOf(ids[k]) !== OUTCOME.ok) keep[k] = 1;
    else if (okSeen++ >= nextOk) {
      keep[k] = 1;
      nextOk += stride;
    }
  }
  const globalLane = (k: number) => laneOffset[host[ids[k]]] + packed.lane[k];
  const laneCounts = new Uint32Array(lanes);
  for (let k = 0; k < ids.length; k++) if (keep[k]) laneCounts[globalLane(k)]++;
  const at = new Uint32Array(lanes);
  for (let l = 1; l < lanes; l++) at[l] = at[l - 1] + laneCounts[l - 1];
  const total = lanes ? at[lanes - 1] + laneCounts[lanes - 1] : 0;
  const bars: Bars = {
    laneCounts,
    start: new Float64Array(total),
    finish: new Float64Array(total),
    outcome: new Uint8Array(total),
    taskId: new Int32Array(total),
    line: new Int32Array(total),
  };
  for (const k of packed.order) {
    if (!keep[k]) continue;
    const i = ids[k];
    const p = at[globalLane(k)]++;
    bars.start[p] = cols.start[i];
    bars.finish[p] = cols.finish[i];
    bars.outcome[p] = outcomeOf(i);
    bars.taskId[p] = cols.taskId[i];
    bars.line[p] = cols.line[i];
  }
  return bars;
}
