/**
 * The typed error of a file of the run (status file, logs, `P_dbUtil.sh`, `P_url`) that cannot
 * be created or written: disk full, quota, I/O error, read-only file system, no permission.
 * @module
 */
import { errorMessage } from "./error_message.ts";

/** Writing `path` failed; `cause` is the OS error. The message is the line a person sees. */
export class RunFileError extends Error {
  override name = "RunFileError";
  /** The file, as the program named it. */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(`cannot write ${path}: ${osReason(cause)}`, { cause });
    this.path = path;
  }
}

/** The OS error of `e` without the path Deno appends (`…(os error 30): open '/x/y'`). */
function osReason(e: unknown): string {
  const message = errorMessage(e);
  return message.replace(/(\(os error \d+\)): \w+ '.*'$/s, "$1");
}

/** Runs `write` (a whole-file write of `path`); any error it throws becomes a RunFileError. */
export function writingRunFile<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw e instanceof RunFileError ? e : new RunFileError(path, e);
  }
}
