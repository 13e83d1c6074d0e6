/**
 * The terminal monitor's screen as a pure function of the run state, the user's view, the recent
 * throughput and the terminal size: plain text lines (ASCII apart from the throughput sparkline's
 * block characters, where the locale allows them, and what the run itself contains), so it reads the same over any SSH session
 * and in tests.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";
import { formatDuration, formatRate } from "./format_duration.ts";
import { engineOrder, HELP, type MonitorView } from "./monitor_view.ts";
import { sparkline } from "./sparkline.ts";
import { resourceUse } from "./resource_use.ts";

/** Smallest terminal the layout supports. */
export const MIN_COLUMNS = 60;
/** Smallest terminal the layout supports. */
export const MIN_ROWS = 14;

/** Tasks finished per interval, oldest first (complete intervals only). */
export interface Throughput {
  counts: number[];
  /** Seconds per interval. */
  seconds: number;
  /** The sparkline's characters, lowest first (Unicode blocks when not given). */
  levels?: string;
}

/** Rows from which the throughput line is shown (it is the first thing left out). */
export const THROUGHPUT_MIN_ROWS = MIN_ROWS + 2;

/** `finished per 5s ▂▅█▇ last 7 peak 9`: the sparkline gets the width the text leaves. */
export function throughputLine(t: Throughput, width: number): string {
  const label = `finished per ${t.seconds}s `;
  if (t.counts.length === 0) return fit(`${label}(measuring)`, width);
  const tail = `  last ${t.counts.at(-1)}  peak ${Math.max(...t.counts)}`;
  const room = width - label.length - tail.length;
  // Narrow: the figures go before the chart does.
  const line = room >= 8
    ? label + sparkline(t.counts, room, t.levels) + tail
    : label + sparkline(t.counts, width - label.length, t.levels);
  return fit(line, width);
}

/** A rendered screen. */
export interface Frame {
  /** Exactly `rows` lines, each `columns - 1` characters (the last column stays free). */
  lines: string[];
  /** Index in `lines` of the engine under the cursor (shown highlighted), or null. */
  cursor: number | null;
}

/** Cuts or pads to `width`; control characters (a command's escapes or TABs) become `?`/space. */
function fit(text: string, width: number): string {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/\t/g, " ").replace(/[\x00-\x1f\x7f-\x9f]/g, "?");
  return clean.length > width ? clean.slice(0, width) : clean.padEnd(width);
}

function rule(title: string, width: number): string {
  return fit(`-- ${title} ${"-".repeat(width)}`, width);
}

/** Task ids that fit in `width`, then `+N` for the rest. */
function taskList(ids: number[], width: number): string {
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const more = i + 1 < ids.length ? ` +${ids.length - i - 1}` : "";
    const next = out === "" ? String(ids[i]) : `${out} ${ids[i]}`;
    if (next.length + more.length > width) {
      return out === "" ? `+${ids.length}` : `${out} +${ids.length - i}`;
    }
    out = next;
  }
  return out;
}

const pad = (v: unknown, n: number) => String(v).padEnd(n);
const right = (v: unknown, n: number) => String(v).padStart(n);

function statusTag(s: RunState | null, v: MonitorView): string {
  if (s?.finished) return `[ended, exit ${s.exitCode ?? "?"}]`;
  if (v.gone) return "[driver gone]";
  if (!s) return "[connecting]";
  if (s.stoppedBy) return `[stopping: ${s.stoppedBy}]`;
  return "[running]";
}

/** Renders one screen. */
export function renderMonitor(
  s: RunState | null,
  v: MonitorView,
  columns: number,
  rows: number,
  throughput: Throughput | null = null,
): Frame {
  const w = columns - 1;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    const lines = [`Terminal too small: need ${MIN_COLUMNS}x${MIN_ROWS}. q quits.`];
    while (lines.length < rows) lines.push("");
    return { lines: lines.slice(0, rows).map((l) => fit(l, Math.max(0, w))), cursor: null };
  }
  const top: string[] = [];
  const tag = statusTag(s, v);
  const title = s
    ? `disbatch ${s.jobId}  driver ${s.driverHost}:${s.driverPid}`
    : "disbatch monitor";
  top.push(fit(title, w - tag.length - 1) + " " + tag);
  if (s) {
    const tail =
      `  ${formatRate(s.rate)}${s.eta !== null ? `  ETA ${formatDuration(s.eta)}` : ""}` +
      `  up ${formatDuration(s.now - s.started)}`;
    if (s.total !== null && s.total > 0) {
      const frac = Math.min(1, (s.done + s.barriers) / s.total);
      const pct = ` ${right(Math.floor(frac * 100), 3)}%`;
      const barWidth = Math.max(10, w - pct.length - tail.length - 2);
      const filled = Math.round(frac * barWidth);
      top.push(fit(`[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]${pct}${tail}`, w));
    } else {
      top.push(fit(`total not known yet (${s.eof ? "all read" : "still reading"})${tail}`, w));
    }
    top.push(fit(
      `done ${s.done}  failed ${s.failed}  running ${s.running}  queued ${s.queued}` +
        `  waiting ${s.waiting}` +
        // Rarely non-zero: shown only then, so the line fits 80 columns.
        (s.skipped > 0 ? `  skipped ${s.skipped}` : "") +
        (s.barriers > 0 ? `  barriers ${s.barriers}` : "") +
        (s.total !== null ? `  total ${s.total}` : ""),
      w,
    ));
    if (throughput && rows >= THROUGHPUT_MIN_ROWS) top.push(throughputLine(throughput, w));
  } else {
    top.push(fit("waiting for the driver's first snapshot...", w), fit("", w));
  }

  const contexts = s?.contexts ?? [];
  const engines = engineOrder(s);
  const failures = [...(s?.recentFailures ?? [])].reverse();
  // Rows left once the fixed lines (3 on top, message and keys below, 2 section rules) are out.
  let free = rows - top.length - 2 - 2 - (failures.length > 0 ? 1 : 0);
  let ctxRows = Math.min(contexts.length, 3);
  let failRows = Math.min(failures.length, 3);
  while (free - ctxRows - failRows < 3 && (ctxRows > 1 || failRows > 1)) {
    if (failRows > 1) failRows--;
    else ctxRows--;
  }
  free -= ctxRows + failRows;
  // Rows the engines do not need show more contexts and failures; what is left stays blank.
  let spare = Math.max(0, free - 1 - Math.max(1, engines.length));
  const moreFailures = Math.min(spare, failures.length - failRows);
  failRows += moreFailures;
  spare -= moreFailures;
  const moreContexts = Math.min(spare, contexts.length - ctxRows);
  ctxRows += moreContexts;
  spare -= moreContexts;
  free -= moreFailures + moreContexts + spare;

  const lines = [...top];
  lines.push(rule(`contexts (${contexts.length})`, w));
  for (const c of contexts.slice(0, ctxRows)) {
    lines.push(fit(
      `  ${right(c.rank, 3)}  ${pad(c.label, 12)} ${pad(c.host, 16)} ` +
        `${right(c.nodeCount, 4)} node(s) ${right(c.engines, 4)} engine(s)  ${
          c.connected ? "connected" : "ended"
        }`,
      w,
    ));
  }

  const engineRows = Math.max(1, free - 1);
  const at = Math.max(0, engines.findIndex((e) => e.rank === v.selected));
  const first = Math.max(0, Math.min(at - Math.floor(engineRows / 2), engines.length - engineRows));
  const shown = engines.length > engineRows
    ? `, ${first + 1}-${Math.min(engines.length, first + engineRows)} shown`
    : "";
  // A large run's snapshot lists only some engines (src/driver/engine_summary.ts).
  const all = s?.engineTotals.engines ?? 0;
  const listed = all > engines.length ? `; ${engines.length} listed, live first` : "";
  lines.push(rule(`engines (${all}${listed}${shown})`, w));
  lines.push(fit(
    `  ${pad("rank", 5)}${pad("ctx", 4)}${pad("node", 13)}${pad("status", 9)}` +
      `${right("run/slots", 10)}${right("queue", 6)}` +
      `${right("done", 7)}${right("fail", 6)}${right("quiet", 7)}  tasks`,
    w,
  ));
  let cursor: number | null = null;
  for (const e of engines.slice(first, first + engineRows)) {
    const mark = e.rank === v.selected ? "> " : "  ";
    if (e.rank === v.selected) cursor = lines.length;
    lines.push(fit(
      `${mark}${pad(e.rank, 5)}${pad(e.contextRank, 4)}${pad(e.node.slice(0, 12), 13)}` +
        `${pad(e.status, 9)}${right(`${e.running}/${e.cylinders}`, 10)}${right(e.queued, 6)}` +
        `${right(e.finished, 7)}${right(e.failed, 6)}${right(`${Math.floor(e.silentFor)}s`, 7)}` +
        `  ${resourceUse(e)}${taskList(e.tasks, w - 71 - resourceUse(e).length)}`,
      w,
    ));
  }
  for (let i = Math.min(engines.length, engineRows); i < engineRows; i++) lines.push(fit("", w));

  if (failures.length > 0) {
    lines.push(rule(`recent failures (${s!.failed} failed in all)`, w));
    for (const f of failures.slice(0, failRows)) {
      const when = formatDuration(f.finish - s!.started);
      lines.push(
        fit(
          `  task ${f.taskId} line ${f.line} rc ${f.rc} on ${f.host} at ${when}: ${f.command}`,
          w,
        ),
      );
    }
  }
  for (let i = 0; i < spare; i++) lines.push(fit("", w));
  const message = v.confirm ? v.confirm.question : v.message;
  lines.push(fit(message, w));
  lines.push(fit(v.gone || s?.finished ? "q quit" : HELP, w));
  return { lines, cursor };
}
