/**
 * Appending whole lines to a file, even when the disk fills up. A write can stop part-way
 * (ENOSPC after a short write); a torn line at the end of a status file would be read back by
 * `-r` as a record with a cut command. So a failed write is cut back to the end of the last
 * whole line (ftruncate), and the failure is a {@link RunFileError}.
 * @module
 */
import { RunFileError } from "./run_file_error.ts";
import { writeAllSync } from "./write_all_sync.ts";
import { recreateDeleted } from "./recreate_deleted.ts";

const encoder = new TextEncoder();

/** A file written only by this object, one whole line (or group of lines) at a time. */
export class LineAppender {
  /** The file, as given. */
  readonly path: string;
  #file: Deno.FsFile;
  /** Bytes of whole lines in the file (its length when it was opened truncated). */
  #length = 0;
  /** Opened truncated: nobody else writes it, so it can be cut back to {@link #length}. */
  readonly #owned: boolean;

  /**
   * Opens `path`: truncated (`truncate`, the usual case) or appended to (a shared log). Throws
   * {@link RunFileError} when it cannot be created or opened for writing.
   */
  constructor(path: string, truncate = true) {
    this.path = path;
    this.#owned = truncate;
    try {
      this.#file = Deno.openSync(
        path,
        // Readable too, so that a copy can be made if it is deleted (restoreIfDeleted).
        truncate
          ? { read: true, write: true, create: true, truncate: true }
          : { append: true, create: true },
      );
    } catch (e) {
      throw new RunFileError(path, e);
    }
  }

  /**
   * Writes `text` (whole lines) completely or not at all: when the write fails part-way, what
   * it wrote is cut off again, then the failure is thrown as a {@link RunFileError}.
   */
  append(text: string | Uint8Array): void {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    try {
      writeAllSync(this.#file, bytes);
      this.#length += bytes.length;
    } catch (e) {
      if (this.#owned) this.#cutBack();
      throw new RunFileError(this.path, e);
    }
  }

  #cutBack(): void {
    try {
      this.#file.truncateSync(this.#length);
      this.#file.seekSync(this.#length, Deno.SeekMode.Start);
    } catch {
      // The file cannot even be shortened (an I/O error): the reader drops a torn last line.
    }
  }

  /**
   * When the file (one opened truncated) was deleted while open, re-creates it at its path with
   * everything written so far and writes there from then on (see recreate_deleted.ts). Returns
   * whether it did; throws {@link RunFileError} when it cannot (the old handle stays in use).
   */
  restoreIfDeleted(): boolean {
    if (!this.#owned) return false;
    let copy: Deno.FsFile | null;
    try {
      copy = recreateDeleted(this.#file, this.path, this.#length);
    } catch (e) {
      throw new RunFileError(this.path, e);
    }
    if (!copy) return false;
    this.close();
    this.#file = copy;
    return true;
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
