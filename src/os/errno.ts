/**
 * Linux errno numbers by name (the generic numbering of x86_64 and aarch64), and the checks on
 * Deno's OS errors that several layers make. Deno reports an OS error with its name as `code`
 * (`"EMFILE"`) and its number in the message (`… (os error 24)`).
 * @module
 */
import { errorMessage } from "../log/error_message.ts";

/** The errno numbers disbatch names: those a spawn, a pipe or an accept can plausibly fail with. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  E2BIG: 7,
  ENOEXEC: 8,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ETXTBSY: 26,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ELOOP: 40,
} as const;

/** A name of {@link ERRNO}. */
export type ErrnoName = keyof typeof ERRNO;

/** The errno number of a Deno error's `code` (e.g. `"ENOENT"` → 2), or null when not listed. */
export function errnoOfCode(code: unknown): number | null {
  return typeof code === "string" && Object.hasOwn(ERRNO, code) ? ERRNO[code as ErrnoName] : null;
}

/** The errno number in `e`'s message (`(os error N)`) or named by its `code`, or null. */
export function errnoOf(e: unknown): number | null {
  const m = /\(os error (\d+)\)/.exec(errorMessage(e));
  return m ? Number(m[1]) : errnoOfCode((e as { code?: unknown } | null)?.code);
}

/**
 * Whether `e` is the OS refusing a new descriptor: this process's limit (EMFILE) or the
 * system's (ENFILE). Such a failure passes once descriptors are closed.
 */
export function isOutOfDescriptors(e: unknown): boolean {
  const errno = errnoOf(e);
  return errno === ERRNO.EMFILE || errno === ERRNO.ENFILE;
}

/** glibc's text of the errno values a file argument fails with (Python prints them). */
const STRERROR: Readonly<Partial<Record<ErrnoName, string>>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
};

/** The Deno error classes (by `name`) that stand for one errno. */
const BY_CLASS: Readonly<Record<string, ErrnoName>> = {
  NotFound: "ENOENT",
  PermissionDenied: "EACCES",
  NotADirectory: "ENOTDIR",
  IsADirectory: "EISDIR",
};

/**
 * The errno and glibc's text for `e` when it is one of the Deno error classes a file open
 * raises (`Deno.errors.NotFound` → 2, "No such file or directory"), else null.
 */
export function fileErrorOf(e: unknown): { errno: number; text: string } | null {
  const name = e instanceof Error && Object.hasOwn(BY_CLASS, e.name) ? BY_CLASS[e.name] : null;
  return name === null ? null : { errno: ERRNO[name], text: STRERROR[name]! };
}
