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
   * Appends one record. The first line that cannot be written throws RunFileError; the file
   * then takes no more lines (a later line after a lost one would make the record misleading:
   * the tasks killed because of the failure must run again on resume, not count as failed).
   */
  record(r: TaskRecord): void {
    if (this.#failed) return;
    try {
      this.#file.append(formatStatusLine(r) + "\n");
    } catch (e) {
      this.#failed = true;
      throw e;
    }
    this.#records++;
  }

  /** {@link record}, returning the RunFileError of a line that could not be written. */
  tryRecord(r: TaskRecord): RunFileError | null {
    try {
      this.record(r);
      return null;
    } catch (e) {
      if (e instanceof RunFileError) return e;
      throw e;
    }
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

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}
