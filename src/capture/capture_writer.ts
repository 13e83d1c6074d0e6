/**
 * Writing an engine's captured task output: every byte a captured task writes to stdout or
 * stderr goes, as it is read, to one data file per engine (`P_capture_<rank>.out`), and an index
 * line (capture_index.ts) says whose bytes they are. Never a file per task: a run of a million
 * tasks makes two files per engine.
 *
 * Both files are written with {@link LineAppender}: a write the disk cannot take is cut back,
 * so the index never holds a torn record nor points at bytes that are not there. The first
 * failure (a full disk, a vanished directory) turns capturing off for the rest of the engine's
 * life and is reported once; the tasks themselves run on unaffected.
 * @module
 */
import { LineAppender } from "../log/line_appender.ts";
import { errorMessage } from "../log/error_message.ts";
import { runFiles } from "../protocol/run_files.ts";
import { listCaptureFiles } from "./capture_reader.ts";
import { CAPTURE_INDEX_HEADER, type CaptureRecord, formatRecord } from "./capture_index.ts";

/** Where a task's output chunks go (called with the pipe's read buffer: copy or write now). */
export interface OutputSink {
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
}

/** The capture of one running task. */
export interface TaskCapture extends OutputSink {
  /** Writes the task's end record (once; later calls do nothing). */
  end(): void;
}

/** The capture files of one engine, opened at the first captured task. */
export class CaptureWriter {
  readonly #prefix: string;
  readonly #rank: number;
  readonly #onError: (message: string) => void;
  #data: LineAppender | null = null;
  #index: LineAppender | null = null;
  #dataLength = 0;
  #failed = false;

  /**
   * Captures for engine `rank` of the run with prefix `prefix`; `onError` gets one line when
   * capturing stops for good (the files cannot be created or written).
   */
  constructor(prefix: string, rank: number, onError: (message: string) => void) {
    this.#prefix = prefix;
    this.#rank = rank;
    this.#onError = onError;
  }

  /** Starts capturing task `taskId`, keeping at most `maxBytes` of each of its streams. */
  start(taskId: number, maxBytes: number): TaskCapture {
    // Written with the task's first other record: a task without output costs one write.
    let pending: string | null = formatRecord({ kind: "S", taskId, atMs: Date.now() });
    const record = (r: CaptureRecord) => {
      this.#record(pending === null ? formatRecord(r) : pending + formatRecord(r));
      pending = null;
    };
    const kept = { out: 0, err: 0 };
    const seen = { out: 0, err: 0 };
    let ended = false;
    const take = (stream: "out" | "err", chunk: Uint8Array) => {
      seen[stream] += chunk.length;
      const room = maxBytes - kept[stream];
      if (room <= 0 || ended) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      const offset = this.#dataLength;
      if (!this.#write(part)) return;
      kept[stream] += part.length;
      record({ kind: "C", taskId, stream, offset, length: part.length });
    };
    return {
      stdout: (chunk) => take("out", chunk),
      stderr: (chunk) => take("err", chunk),
      end: () => {
        if (ended) return;
        ended = true;
        const truncated = seen.out > kept.out || seen.err > kept.err;
        record({ kind: "E", taskId, outSeen: seen.out, errSeen: seen.err, truncated });
      },
    };
  }

  /** Closes the files. */
  close(): void {
    this.#data?.close();
    this.#index?.close();
  }

  #open(): boolean {
    if (this.#failed) return false;
    if (this.#index) return true;
    try {
      this.#data = new LineAppender(runFiles.captureData(this.#prefix, this.#rank));
      this.#index = new LineAppender(runFiles.captureIndex(this.#prefix, this.#rank));
      this.#index.append(CAPTURE_INDEX_HEADER);
      return true;
    } catch (e) {
      this.#fail(e);
      return false;
    }
  }

  #write(bytes: Uint8Array): boolean {
    if (!this.#open()) return false;
    try {
      this.#data!.append(bytes);
      this.#dataLength += bytes.length;
      return true;
    } catch (e) {
      this.#fail(e);
      return false;
    }
  }

  /** Appends index lines, all or none. */
  #record(lines: string): void {
    if (!this.#open()) return;
    try {
      this.#index!.append(lines);
    } catch (e) {
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.#failed = true;
    this.close();
    this.#onError(`output capture stopped: ${errorMessage(e)}`);
  }
}

/**
 * Removes the capture files an earlier run with the same prefix left (its status file is
 * replaced too): otherwise `--output` would show that run's tasks under this run's ids. Returns
 * the files it could not remove (best effort: a warning for the log, not a failed run).
 */
export async function removeCaptureFiles(prefix: string): Promise<string[]> {
  const failed: string[] = [];
  let files;
  try {
    files = await listCaptureFiles(prefix);
  } catch (e) {
    return [errorMessage(e)];
  }
  for (const f of files) {
    for (const path of [f.index, f.data]) {
      await Deno.remove(path).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) failed.push(`${path}: ${errorMessage(e)}`);
      });
    }
  }
  return failed;
}
