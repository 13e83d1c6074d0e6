/**
 * The status file writer: each record becomes one complete line, written whole or not at all
 * (a crash or a full disk leaves lines whole or absent).
 * @module
 */
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { LineAppender } from "../log/line_appender.ts";
import { RunFileError } from "../log/run_file_error.ts";
import { errorMessage } from "../log/error_message.ts";

/** `P_status.txt`, opened (truncated) at start. */
export class StatusFile {
  readonly #file: LineAppender;
  #failed = false;
  #records = 0;
  /** Lines waiting for {@link flush}. */
  #queued: string[] = [];
  #onError: (error: RunFileError) => void = () => {};
  /** It was deleted and could not be re-created: said once, not tried again. */
  #unrestorable = false;

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
   * Queues one record's line; the lines queued in one turn of the event loop are written
   * together, with one `write`, once every message that arrived in that turn is handled (one
   * system call per line was the largest cost of a driver serving thousands of slots). Still
   * whole lines, in event order; a crash loses at most the lines of that turn, whose tasks a
   * resume runs again. A failure goes to the handler of {@link onWriteError}.
   */
  queue(r: TaskRecord): void {
    if (this.#failed) return;
    this.#queued.push(formatStatusLine(r));
    if (this.#queued.length === 1) queueMicrotask(() => this.flush());
  }

  /** Who learns of a write that failed (the driver stops the run). */
  onWriteError(handler: (error: RunFileError) => void): void {
    this.#onError = handler;
  }

  /**
   * Writes the queued lines now, all or none. The first write that fails goes to the
   * {@link onWriteError} handler; the file then takes no more lines (a later line after a lost
   * one would make the record misleading: the tasks killed because of the failure must run
   * again on resume, not count as failed).
   */
  flush(): void {
    const lines = this.#queued;
    if (this.#failed || lines.length === 0) return;
    this.#queued = [];
    try {
      this.#file.append(lines.join("\n") + "\n");
    } catch (e) {
      this.#failed = true;
      if (!(e instanceof RunFileError)) throw e;
      this.#onError(e);
      return;
    }
    this.#records += lines.length;
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

  /** Closes the file (queued lines are written first). */
  close(): void {
    this.flush();
    this.#file.close();
  }
}
