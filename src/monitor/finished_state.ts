/**
 * The state of a finished run whose driver recorded only its exit code (runs ended by older
 * versions): what its status file tells, with the fields of a live {@link RunState} so a
 * script reads the same keys either way; what the file cannot tell is null.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";
import { FailureLog } from "../sched/failure_log.ts";
import { parseStatusLine } from "../status/status_line.ts";

/** Fields a status file cannot tell. */
type Unknown =
  | "driverPid"
  | "started"
  | "now"
  | "eof"
  | "rate"
  | "engines"
  | "engineTotals"
  | "contexts";

/** A {@link RunState} whose fields the status file cannot tell may be null. */
export type RecordedState =
  & Omit<RunState, Unknown>
  & { [K in Unknown]: RunState[K] | null };

/** What the status file `statusText` tells of the run `prefix`, which ended with `exitCode`. */
export function finishedState(
  run: { prefix: string; driverHost: string; exitCode: number },
  statusText: string,
): RecordedState {
  let done = 0, skipped = 0, barriers = 0;
  let started: number | null = null, ended: number | null = null;
  const failures = new FailureLog();
  for (const line of statusText.split("\n")) {
    const r = line ? parseStatusLine(line) : null;
    if (!r || r.kind === "Z") continue;
    if (r.kind !== "S") {
      started = Math.min(started ?? r.start, r.start);
      ended = Math.max(ended ?? r.finish, r.finish);
    }
    if (r.kind === "B" || r.kind === "C") barriers++;
    if (r.kind !== "N" && r.kind !== "S") continue;
    done++;
    if (r.kind === "S") skipped++;
    failures.add(r);
  }
  return {
    prefix: run.prefix,
    jobId: run.prefix.slice(run.prefix.lastIndexOf("/") + 1),
    driverHost: run.driverHost,
    driverPid: null,
    started,
    now: ended,
    total: null,
    eof: null,
    done,
    failed: failures.count,
    skipped,
    running: 0,
    queued: 0,
    waiting: 0,
    barriers,
    rate: null,
    eta: null,
    stoppedBy: null,
    finished: true,
    exitCode: run.exitCode,
    engines: null,
    engineTotals: null,
    contexts: null,
    recentFailures: failures.recent,
    failedIds: failures.ids,
  };
}
