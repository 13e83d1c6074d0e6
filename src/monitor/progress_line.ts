/**
 * The driver's one updating progress line on a terminal's stderr: counts, rate and ETA,
 * redrawn in place, kept below other messages and erased at the end.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";
import { formatDuration, formatRate } from "./format_duration.ts";

/**
 * Width assumed when the terminal reports none: a pseudo-terminal nobody sized (e.g. under
 * `script -c`) says 0 columns, which would cut the line to nothing.
 */
export const FALLBACK_COLUMNS = 80;

/**
 * `disbatch: 45%, 450 done, 2 failed, 9 running, 4 queued, 537 waiting, 3.6/s, ETA 2:32`, cut to
 * `width - 1` columns ({@link FALLBACK_COLUMNS} when `width` is not positive).
 */
export function formatProgress(s: RunState, width: number): string {
  if (!(width > 0)) width = FALLBACK_COLUMNS;
  const parts: string[] = [];
  if (s.total !== null && s.total > 0) {
    parts.push(`${Math.floor((100 * (s.done + s.barriers)) / s.total)}%`);
  }
  parts.push(`${s.done} done`);
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  parts.push(`${s.running} running`);
  if (s.queued > 0) parts.push(`${s.queued} queued`);
  if (s.waiting > 0) parts.push(`${s.waiting} waiting`);
  parts.push(formatRate(s.rate));
  if (s.eta !== null) parts.push(`ETA ${formatDuration(s.eta)}`);
  if (s.stoppedBy !== null) parts.push(`stopping (${s.stoppedBy})`);
  // The last column is left free: writing there makes some terminals wrap.
  return `disbatch: ${parts.join(", ")}`.slice(0, width - 1);
}

/** Draws {@link formatProgress} lines through `write` (a terminal). */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #columns: () => number;
  #last: RunState | null = null;
  #shown = false;

  /** `columns` is asked at every draw, so a resized terminal is followed. */
  constructor(write: (text: string) => void, columns: () => number) {
    this.#write = write;
    this.#columns = columns;
  }

  /** Replaces the line with the summary of `state`. */
  show(state: RunState): void {
    this.#last = state;
    this.#write(`\r${formatProgress(state, this.#columns())}\x1b[K`);
    this.#shown = true;
  }

  /** Erases the line (the cursor stays at its start). */
  clear(): void {
    if (this.#shown) this.#write("\r\x1b[K");
    this.#shown = false;
  }

  /** Runs `print` (which writes whole lines) above the progress line. */
  above(print: () => void): void {
    const shown = this.#shown;
    this.clear();
    print();
    if (shown && this.#last) this.show(this.#last);
  }
}
