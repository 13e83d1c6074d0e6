/**
 * Pull-based task source (spec §4.1, §12.4): reads input only when the caller asks for an item
 * and nothing is left from the current line, so pipes and KVS clients never deadlock on
 * look-ahead (bug B1).
 * @module
 */
import type { TaskItem } from "./task_item.ts";
import { LineTooLongError, readLines, splitUniversal, StreamLines } from "./line_reader.ts";
import { TaskFileError, TaskParser, type TaskParserOptions } from "./task_parser.ts";
import { InputShrankError } from "./length_checked_stream.ts";

/** Options of {@link TaskSource}. */
export interface TaskSourceOptions extends TaskParserOptions {
  /** Longest accepted physical line (stream input only); default 64 MiB. */
  maxLineBytes?: number;
}

/** Options of {@link checkTaskFile}; `file` (the name in messages) defaults to the path. */
export type CheckTaskFileOptions = Omit<TaskSourceOptions, "file"> & { file?: string };

/**
 * Yields task items one at a time. A `ReadableStream` input is split into physical lines on
 * `\n`; any other async iterable supplies one unit per value (a KVS submission, which may hold
 * several lines). Each unit advances the line number by one, and all items from it share it.
 * Calls to {@link TaskSource.next} must not overlap.
 */
export class TaskSource {
  readonly #parser: TaskParser;
  readonly #file: string;
  /** A stream's lines (taken without a promise turn while the chunk read holds them)... */
  readonly #lines: StreamLines | null;
  /** ...or the units of any other iterable, and the one read last (null: the end). */
  readonly #units: AsyncIterator<Uint8Array> | null;
  #unit: Uint8Array | null | undefined = undefined;
  #pending: Iterator<TaskItem> | null = null;
  #lineNumber = 0;
  #ended = false;
  #failure: { error: unknown } | null = null;
  /** An error met by {@link takeNow}: the next {@link next} throws it (and closes the input). */
  #met: { error: unknown } | null = null;

  /** Wraps `input`; nothing is read until the first {@link TaskSource.next}. */
  constructor(
    input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    options: TaskSourceOptions,
  ) {
    this.#parser = new TaskParser(options);
    this.#file = options.file;
    this.#lines = input instanceof ReadableStream
      ? new StreamLines(input, options.maxLineBytes)
      : null;
    this.#units = input instanceof ReadableStream ? null : input[Symbol.asyncIterator]();
  }

  /** Number of the last physical line (or unit) read; 0 before the first read. */
  get lineNumber(): number {
    return this.#lineNumber;
  }

  /**
   * The next item, or null at end of input. REPEAT instances are produced one per call.
   * Once this has thrown, it throws the same error again; the input is closed by then.
   *
   * @throws {TaskFileError} for a bad directive (strict mode), an over-long line, or an input
   * that ended short of its checked length (see length_checked_stream.ts).
   */
  async next(): Promise<TaskItem | null> {
    if (this.#failure) throw this.#failure.error;
    try {
      if (this.#met) throw this.#met.error;
      // fast path without a further await: most calls are served from what was read
      const item = this.#take();
      return item !== undefined ? item : await this.#read();
    } catch (error) {
      this.#failure = { error };
      await this.close().catch(() => {});
      throw error;
    }
  }

  /**
   * The next item when it needs no read (null: the end), else undefined: then {@link next}
   * reads, or throws the error met here. Calls must not overlap those of next.
   */
  takeNow(): TaskItem | null | undefined {
    if (this.#failure || this.#met) return undefined;
    try {
      return this.#take();
    } catch (error) {
      this.#met = { error };
      return undefined;
    }
  }

  /** The command of an item to hold past the next read (see TaskParser.keep). */
  keep(command: Uint8Array): Uint8Array {
    return this.#parser.keep(command);
  }

  /** Stops reading and releases the input (cancels a stream). Later calls to next give null. */
  async close(): Promise<void> {
    this.#pending = null;
    if (this.#ended) return;
    this.#ended = true;
    await (this.#lines ? this.#lines.close() : this.#units!.return?.());
  }

  async #read(): Promise<TaskItem | null> {
    for (;;) {
      const item = this.#take();
      if (item !== undefined) return item;
      await this.#fill();
    }
  }

  /** The next item from what was read; null at the end; undefined: {@link #fill} first. */
  #take(): TaskItem | null | undefined {
    for (;;) {
      if (this.#pending) {
        const r = this.#pending.next();
        if (!r.done) return r.value;
        this.#pending = null;
      }
      if (this.#ended) return null;
      if (this.#parser.stopped) return undefined; // #fill closes the input
      let unit: Uint8Array | null | undefined;
      if (this.#lines) {
        try {
          unit = this.#lines.take();
        } catch (error) {
          throw this.#readError(error);
        }
      } else {
        unit = this.#unit;
        this.#unit = undefined;
      }
      if (unit === undefined) return undefined;
      if (unit === null) {
        this.#ended = true;
        this.#pending = this.#parser.end()[Symbol.iterator]();
        continue;
      }
      const line = ++this.#lineNumber;
      const texts = splitUniversal(unit);
      if (texts.length === 1) this.#pending = this.#parser.feed(texts[0], line)[Symbol.iterator]();
      else if (texts.length > 1) this.#pending = this.#itemsOf(texts, line);
    }
  }

  /** Reads more input (one chunk or unit), or closes it once the parser has stopped. */
  async #fill(): Promise<void> {
    if (this.#parser.stopped) return await this.close();
    try {
      if (this.#lines) await this.#lines.read();
      else {
        const unit = await this.#units!.next();
        this.#unit = unit.done ? null : unit.value;
      }
    } catch (error) {
      throw this.#readError(error);
    }
  }

  #readError(error: unknown): unknown {
    if (error instanceof InputShrankError) return shrank(this.#file, this.#lineNumber + 1, error);
    return error instanceof LineTooLongError ? tooLong(this.#file, error) : error;
  }

  /** Feeds logical lines one after another, only as earlier ones' items are consumed. */
  *#itemsOf(texts: Uint8Array[], line: number): Generator<TaskItem> {
    for (const text of texts) yield* this.#parser.feed(text, line);
  }
}

/**
 * Parses the whole regular file at `path`, discarding the items (REPEAT counts are not
 * expanded), so that a bad line is reported before a run starts. A path that is not a regular
 * file (a pipe, a device) is not read, since reading would consume the input.
 *
 * Returns the number of task ids the file produces (tasks and barriers), or null when the
 * path is not a regular file.
 *
 * @throws {TaskFileError} the first bad directive (strict mode) or over-long line.
 * @throws {Deno.errors.NotFound} and other I/O errors unchanged.
 */
export async function checkTaskFile(
  path: string,
  options: CheckTaskFileOptions = {},
): Promise<number | null> {
  if (!(await Deno.stat(path)).isFile) return null;
  const file = options.file ?? path;
  const parser = new TaskParser({ ...options, file, checkOnly: true });
  const handle = await Deno.open(path);
  let line = 0;
  try {
    for await (const physical of readLines(handle.readable, options.maxLineBytes)) {
      line++;
      for (const text of splitUniversal(physical)) parser.feed(text, line);
      if (parser.stopped) break;
    }
  } catch (error) {
    throw error instanceof LineTooLongError ? tooLong(file, error) : error;
  }
  return parser.nextTaskId;
}

function tooLong(file: string, error: LineTooLongError): TaskFileError {
  return new TaskFileError(file, error.line, `line longer than ${error.limit} bytes`, {
    cause: error,
  });
}

function shrank(file: string, line: number, error: InputShrankError): TaskFileError {
  return new TaskFileError(
    file,
    line,
    `the file was shortened during the run (${error.message}); the tasks after this line did not run`,
    { cause: error },
  );
}
