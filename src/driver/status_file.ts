/**
 * The status file writer: each record becomes one complete line, written with a single
 * `write` so a crash leaves lines whole or absent.
 * @module
 */
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { writeAllSync } from "../log/write_all_sync.ts";

/** `P_status.txt`, opened (truncated) at start. */
export class StatusFile {
  readonly #file: Deno.FsFile;
  #records = 0;

  constructor(path: string, header: boolean) {
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    if (header) writeAllSync(this.#file, STATUS_HEADER + "\n");
  }

  /** Appends one record. */
  record(r: TaskRecord): void {
    writeAllSync(this.#file, formatStatusLine(r) + "\n");
    this.#records++;
  }

  /** Records written so far (a resume from this file can skip something only if > 0). */
  get records(): number {
    return this.#records;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}
