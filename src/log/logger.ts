/**
 * Minimal append-only log file in the original's `time LEVEL name: message` layout. Logs are
 * for people; nothing parses them, and a log that cannot be written (disk full) never stops
 * what is being logged.
 * @module
 */
import { LineAppender } from "./line_appender.ts";
import type { RunFileError } from "./run_file_error.ts";

/** Log levels, most severe first (the original's `--loglevel` choices). */
export const LOG_LEVELS = ["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Writes log lines synchronously (a crash must not lose the line that explains it). */
export class Logger {
  readonly #file: LineAppender | null;
  readonly #name: string;
  readonly #max: number;
  #writeFailed: RunFileError | null = null;

  /**
   * `path` null: a logger that drops everything. Throws RunFileError when the file cannot be
   * opened for writing. A line that cannot be written later is dropped, and the first such
   * failure kept in {@link writeFailed} (later lines are still tried: space may come back).
   */
  constructor(path: string | null, name: string, level: LogLevel = "INFO", truncate = true) {
    this.#file = path === null ? null : new LineAppender(path, truncate);
    this.#name = name;
    this.#max = LOG_LEVELS.indexOf(level);
  }

  /** The first write failure, if any line was lost. */
  get writeFailed(): RunFileError | null {
    return this.#writeFailed;
  }

  /** Logs at `level` when enabled. */
  log(level: LogLevel, message: string): void {
    if (!this.#file || LOG_LEVELS.indexOf(level) > this.#max) return;
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
      p(d.getMinutes())
    }:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
    try {
      this.#file.append(`${stamp} ${level} ${this.#name}: ${message}\n`);
    } catch (e) {
      this.#writeFailed ??= e as RunFileError;
    }
  }

  /** Shorthand for INFO. */
  info(message: string): void {
    this.log("INFO", message);
  }
  /** Shorthand for WARNING. */
  warn(message: string): void {
    this.log("WARNING", message);
  }
  /** Shorthand for ERROR. */
  error(message: string): void {
    this.log("ERROR", message);
  }
  /** Shorthand for DEBUG. */
  debug(message: string): void {
    this.log("DEBUG", message);
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
  }
}
