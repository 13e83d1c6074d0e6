/**
 * The status file writer: each record becomes one complete line, written with a single
 * `write` so a crash leaves lines whole or absent.
 * @module
 */
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";

const encoder = new TextEncoder();

/** `P_status.txt`, opened (truncated) at start. */
export class StatusFile {
  readonly #file: Deno.FsFile;

  constructor(path: string, header: boolean) {
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    if (header) this.#write(STATUS_HEADER + "\n");
  }

  /** Appends one record. */
  record(r: TaskRecord): void {
    this.#write(formatStatusLine(r) + "\n");
  }

  #write(text: string): void {
    const data = encoder.encode(text);
    let off = 0;
    while (off < data.length) off += this.#file.writeSync(data.subarray(off));
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
