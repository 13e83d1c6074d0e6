/**
 * Links the report's failures to their captured output: a run made with `--capture` (or
 * `#DISBATCH CAPTURE on`) has each task's full stdout and stderr in its capture files, and the
 * page, being self-contained, embeds the last {@link TAIL_BYTES} of each stream of every listed
 * failure (the status line itself keeps only an 80-byte snippet).
 * @module
 */
import { type LocatedAttempt, readAllAttempts, readChunks } from "../capture/capture_reader.ts";
import { tailChunks } from "../capture/capture_index.ts";
import type { StatusColumns, TaskDetail } from "./status_columns.ts";

/** How much of the end of each captured stream a failure shows. */
export const TAIL_BYTES = 4096;

/** The end of a failed task's captured output, as the page shows it. */
export interface OutputTails {
  /** The last bytes kept of stdout and stderr, decoded as UTF-8 with replacement. */
  out: string;
  err: string;
  /** Bytes the task wrote to each stream, and bytes kept (the cap may have cut the rest). */
  outSeen: number;
  errSeen: number;
  outKept: number;
  errKept: number;
  /** Bytes of {@link OutputTails.out} and {@link OutputTails.err} (before decoding). */
  outShown: number;
  errShown: number;
}

const decoder = new TextDecoder("utf-8");

/**
 * The attempt of `attempts` that produced the status record `d`: the ended one whose start is
 * closest to the record's (a retried task has one record and one attempt per run).
 */
export function attemptFor(
  attempts: LocatedAttempt[],
  d: Pick<TaskDetail, "start">,
): LocatedAttempt | null {
  let best: LocatedAttempt | null = null;
  for (const a of attempts) {
    if (!a.end) continue;
    if (
      best === null ||
      Math.abs(a.startedMs - d.start * 1000) < Math.abs(best.startedMs - d.start * 1000)
    ) best = a;
  }
  return best;
}

/**
 * Sets `captured` on the failures kept in `cols` whose run (`prefixes[file]`, null for a bare
 * status file) captured them. Returns how many it set.
 */
export async function attachCaptureTails(
  cols: StatusColumns,
  prefixes: (string | null)[],
): Promise<number> {
  const runs = new Map<number, Map<number, LocatedAttempt[]>>();
  let attached = 0;
  for (const [i, d] of cols.failures) {
    const file = cols.file[i];
    const prefix = prefixes[file];
    if (prefix == null) continue;
    let attempts = runs.get(file);
    if (!attempts) {
      attempts = await readAllAttempts(prefix);
      runs.set(file, attempts);
    }
    const a = attemptFor(attempts.get(d.taskId) ?? [], d);
    if (!a?.end) continue;
    const kept = (s: "out" | "err") => a[s].reduce((n, c) => n + c.length, 0);
    const out = await readChunks(a.data, tailChunks(a.out, TAIL_BYTES));
    const err = await readChunks(a.data, tailChunks(a.err, TAIL_BYTES));
    d.captured = {
      out: decoder.decode(out),
      err: decoder.decode(err),
      outShown: out.length,
      errShown: err.length,
      outSeen: a.end.outSeen,
      errSeen: a.end.errSeen,
      outKept: kept("out"),
      errKept: kept("err"),
    };
    attached++;
  }
  return attached;
}
