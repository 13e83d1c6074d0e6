/**
 * The glibc functions the FFI spawner calls (`posix_spawn` and its attributes, pipes, epoll,
 * eventfd, `waitpid`, `pidfd_open` through `syscall`), opened once through Deno's FFI.
 * @module
 */

const SYMBOLS = {
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  posix_spawn_file_actions_addclosefrom_np: {
    parameters: ["buffer", "i32"],
    result: "i32",
    optional: true,
  },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  syscall: { parameters: ["i64", "i64", "i64"], result: "i64" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32", nonblocking: true },
  waitpid_blocking: {
    name: "waitpid",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  epoll_wait_now: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

/**
 * The bound functions. `epoll_wait` and `waitpid_blocking` run on a pool thread (they return
 * promises); `epoll_wait_now` and `waitpid` block the calling thread, so they are only called
 * when they return at once (a zero timeout, `WNOHANG`).
 */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/**
 * glibc's functions, or null when they cannot be had: not Linux, no FFI permission (asked
 * without prompting), or no glibc.
 */
export function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  // Never prompt: without --allow-ffi the caller falls back to another way.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  try {
    return Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  } catch {
    return null; // not glibc
  }
}

/** The calling thread's `errno`, as left by the last failed synchronous call. */
export function lastErrno(lib: Libc): number {
  const p = lib.__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** The C library's text for `errno` (e.g. "Argument list too long"). */
export function strerror(lib: Libc, errno: number): string {
  const p = lib.strerror(errno);
  return p === null ? `Error ${errno}` : new Deno.UnsafePointerView(p).getCString();
}
