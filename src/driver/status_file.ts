/**
 * The status file writer: each record becomes one complete line, written whole or not at all
 * (a crash or a full disk leaves lines whole or absent).
 * @module
 */
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import { putSkipLine } from "../status/resume_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { LineAppender } from "../log/line_appender.ts";
import { RunFileError } from "../log/run_file_error.ts";
import { errorMessage } from "../log/error_message.ts";

const encoder = new TextEncoder();
/** Most bytes of lines held for one write. */
const HOLD_LIMIT = 1 << 20;

/** `P_status.txt`, opened (truncated) at start. */
export class StatusFile {
  readonly #file: LineAppender;
  #failed = false;
  #records = 0;
  /** It was deleted and could not be re-created: said once, not tried again. */
  #unrestorable = false;
  /** Whole lines held for one write: `#held[0, #heldBytes)`, `#heldLines` of them. */
  #held = new Uint8Array(0);
  #heldBytes = 0;
  #heldLines = 0;
  #flushQueued = false;
  #onError: (error: RunFileError) => void = () => {};

  /** Throws RunFileError when the file cannot be created or its header written. */
  constructor(path: string, header: boolean) {
    this.#file = new LineAppender(path);
    if (header) {
      try {
        this.#file.append(STATUS_HEADER + "\n");
      } catch (e) {
        this.#file.close();
        throw e;
      }
    }
  }

  /**
   * Queues one record's line. The lines queued in one turn of the event loop (with any S lines
   * held by {@link skipLine}) are written together, with one `write`, once every message that
   * arrived in that turn is handled: one system call per line was the largest cost of a driver
   * serving thousands of slots. Still whole lines, in event order; a crash loses at most the
   * lines of that turn, whose tasks a resume runs again. A failure goes to the handler of
   * {@link onWriteError}; the file then takes no more lines (a later line after a lost one
   * would make the record misleading: the tasks killed because of the failure must run again
   * on resume, not count as failed).
   */
  queue(r: TaskRecord): void {
    if (this.#failed) return;
    const line = formatStatusLine(r) + "\n";
    // Encoded straight into the held bytes (no array per line): room for the longest UTF-8
    // form, then only what was written is kept.
    const at = this.#reserve(line.length * 3); // it may replace #held
    const { written } = encoder.encodeInto(line, this.#held.subarray(at));
    this.#heldBytes = at + written;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        const error = this.flush();
        if (error) this.#onError(error);
      });
    }
  }

  /** Who learns of a queued write that failed (the driver stops the run). */
  onWriteError(handler: (error: RunFileError) => void): void {
    this.#onError = handler;
  }

  /**
   * Appends the S line of a task that resume skips, made of `line` (ResumeLine.skipLine: the
   * kind flag and the newline are set here). It is held until {@link flush} or the flush of the
   * next queued record (or until it would take the lines held past 1 MiB: they are written
   * first), so that a run of them goes out in one write. Returns the RunFileError of a write
   * that failed (the file then takes no more lines).
   */
  skipLine(line: Uint8Array): RunFileError | null {
    if (this.#failed) return null;
    // Written before passing the limit, the held lines' buffer is used again as it is: one
    // that passed it was replaced, which made a buffer chain of 2 MB per MiB of S lines.
    if (this.#heldBytes > 0 && this.#heldBytes + line.length + 1 > HOLD_LIMIT) {
      const error = this.flush();
      if (error) return error;
    }
    const at = this.#reserve(line.length + 1); // it may replace #held
    putSkipLine(line, this.#held, at);
    return null;
  }

  /**
   * Writes the held lines now, whole or not at all (line_appender.ts); returns the RunFileError
   * when they could not be written.
   */
  flush(): RunFileError | null {
    return caught(() => this.#flush());
  }

  /** Room for one more line of `n` bytes in the held ones; returns where it goes. */
  #reserve(n: number): number {
    const at = this.#heldBytes;
    if (at + n > this.#held.length) {
      // Grows as needed: a run that holds only single lines keeps a small buffer.
      const grown = new Uint8Array(Math.max(at + n, Math.min(this.#held.length * 2, HOLD_LIMIT)));
      grown.set(this.#held.subarray(0, at));
      this.#held = grown;
    }
    this.#heldBytes = at + n;
    this.#heldLines++;
    return at;
  }

  #flush(): void {
    if (this.#failed || this.#heldBytes === 0) return;
    const lines = this.#heldLines;
    try {
      this.#file.append(this.#held.subarray(0, this.#heldBytes));
    } catch (e) {
      this.#failed = true;
      throw e;
    } finally {
      this.#heldBytes = 0;
      this.#heldLines = 0;
      // One huge line (a long command) does not keep its buffer for the rest of the run.
      if (this.#held.length > HOLD_LIMIT) this.#held = new Uint8Array(0);
    }
    this.#records += lines;
  }

  /** Records written so far (a resume from this file can skip something only if > 0). */
  get records(): number {
    return this.#records;
  }

  /**
   * Re-creates the file at its path, with every line written so far, when it was deleted during
   * the run (checked with one `fstat`: the driver calls this on its 500 ms tick and at the end).
   * Returns the warning to show when it did, or (once) when it could not; null otherwise.
   */
  restoreIfDeleted(): string | null {
    if (this.#failed || this.#unrestorable) return null;
    try {
      if (!this.#file.restoreIfDeleted()) return null;
    } catch (e) {
      this.#unrestorable = true;
      return `the status file was deleted during the run and cannot be re-created: ${
        errorMessage(e)
      }; its lines are lost when the run ends`;
    }
    return `the status file ${this.#file.path} was deleted during the run; re-created it with ` +
      `the ${this.#records} task lines written so far`;
  }

  /**
   * Writes what is still held (the run's end wrote everything already; a failure here would
   * concern lines after it, which are not news) and closes the file.
   */
  close(): void {
    this.flush();
    this.#file.close();
  }
}

/** The RunFileError `fn` throws, or null. */
function caught(fn: () => void): RunFileError | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof RunFileError) return e;
    throw e;
  }
}
