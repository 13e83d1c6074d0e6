/**
 * Starting a task in a new session without an extra `exec`.
 *
 * Deno can give a child its own session only through `detached: true`, which makes Rust fork
 * the whole runtime (≈ 3.6 ms per task here), or by running util-linux `setsid(1)` first (one
 * more `exec` per task, ≈ 0.7 ms of CPU: a third of a trivial task's cost). glibc's
 * `posix_spawn` has had `POSIX_SPAWN_SETSID` since 2.26, so this module calls it through Deno's
 * FFI (`libc.ts`): one `vfork`-style clone and one `exec`, exactly what `xargs` pays. The
 * environment block comes from `child_environment.ts`; completion is event-driven, without a
 * thread per task, through `child_watcher.ts` (epoll and pidfds, or `waitpid` off the main
 * thread on kernels before 5.3).
 *
 * {@link SessionSpawner.open} returns null where any piece is missing (no FFI permission, not
 * glibc, no epoll or eventfd); callers then fall back to `setsid(1)`.
 * @module
 */
import { ERRNO } from "../os/errno.ts";
import { cString, CStringCache, StringArrayBuilder } from "./c_strings.ts";
import { ChildEnvironment } from "./child_environment.ts";
import { ChildWatcher, type WatcherOptions } from "./child_watcher.ts";
import type { ChildCallbacks, SessionChild } from "./session_child.ts";
import { lastErrno, type Libc, openLibc, strerror } from "./libc.ts";
import { signalNumber } from "./signal_number.ts";

export type { SessionChild } from "./session_child.ts";
export type { SessionStatus } from "./wait_status.ts";

/** What to start. */
export interface SessionSpawnOptions extends ChildCallbacks {
  /** Absolute path of the program. */
  file: string;
  /** Full argv, argv[0] included; bytes are passed as they are (no UTF-8 requirement). */
  argv: (string | Uint8Array)[];
  /** Added on top of this process's environment (and of `baseEnv`). */
  env: Record<string, string>;
  /**
   * Variables shared by many spawns, added between this process's environment and `env`. The
   * same object should come back unchanged: its encoding, together with this process's
   * environment as it is at the object's first use, is kept for the spawns that follow (rebuilding
   * it was a fifth of a trivial task's cost on the main thread).
   */
  baseEnv?: Readonly<Record<string, string>>;
  cwd: string;
}

/** `posix_spawn` (or a system call around it) failed; `errno` says why. */
export class SessionSpawnError extends Error {
  /** The errno value, e.g. 2 when the program or the working directory does not exist. */
  readonly errno: number;
  constructor(errno: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SessionSpawnError";
    this.errno = errno;
  }
}

function failed(errno: number, call: string): SessionSpawnError {
  return new SessionSpawnError(errno, `${call} failed (os error ${errno})`);
}

const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_RDONLY = 0;
const SIGPIPE = signalNumber("SIGPIPE");
const O_CLOEXEC = 0o2000000;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
/** Generous sizes for glibc's opaque structs (x86_64: 336, 80 and 128 bytes). */
const ATTR_BYTES = 1024;
const ACTIONS_BYTES = 512;
const SIGSET_BYTES = 256;

/** Spawns children in new sessions and watches them; one per process is enough. */
export class SessionSpawner {
  readonly #lib: Libc;
  readonly #attr: Uint8Array<ArrayBuffer>;
  readonly #watcher: ChildWatcher;
  /** Out-parameters of pipe2 and posix_spawn (both synchronous calls). */
  readonly #int2 = new Int32Array(new ArrayBuffer(8));
  /**
   * posix_spawn_file_actions_t sets, kept for reuse by the descriptors and directory they name:
   * the pipes' write ends usually get the same numbers again (the lowest free ones), and
   * building a set costs seven calls, six of them a getrlimit system call inside glibc.
   */
  readonly #actionSets = new Map<string, Uint8Array<ArrayBuffer>>();
  readonly #devNull = cString("/dev/null");
  readonly #environment = new ChildEnvironment();
  /** Where each spawn's argv and environment are laid out (see StringArrayBuilder). */
  readonly #argv = new StringArrayBuilder();
  readonly #envp = new StringArrayBuilder();
  /** Recent program paths and working directories as C strings. */
  readonly #cStrings = new CStringCache();

  private constructor(lib: Libc, attr: Uint8Array<ArrayBuffer>, watcher: ChildWatcher) {
    this.#lib = lib;
    this.#attr = attr;
    this.#watcher = watcher;
  }

  /**
   * The spawner, or null when this platform or permission set cannot provide it (then use
   * `setsid(1)`). Every piece is probed once: FFI access, glibc's symbols, epoll, eventfd; and
   * whether pidfds exist (`pidfd: false` does without them, as on kernels before 5.3).
   * The options are the watcher's (see {@link WatcherOptions}).
   */
  static open(options: WatcherOptions = {}): SessionSpawner | null {
    const lib = openLibc();
    if (lib === null) return null;
    const attr = new Uint8Array(new ArrayBuffer(ATTR_BYTES));
    const mask = new Uint8Array(new ArrayBuffer(SIGSET_BYTES));
    const defaults = new Uint8Array(new ArrayBuffer(SIGSET_BYTES));
    // An empty signal mask, and SIGPIPE back to its default: the Deno process ignores it, and an
    // ignored signal would stay ignored in the task (Rust's own spawn resets it the same way).
    if (
      lib.posix_spawnattr_init(attr) !== 0 || lib.sigemptyset(mask) !== 0 ||
      lib.sigemptyset(defaults) !== 0 || lib.sigaddset(defaults, SIGPIPE) !== 0 ||
      lib.posix_spawnattr_setsigmask(attr, mask) !== 0 ||
      lib.posix_spawnattr_setsigdefault(attr, defaults) !== 0 ||
      lib.posix_spawnattr_setflags(
          attr,
          POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF,
        ) !== 0
    ) return null;
    const watcher = ChildWatcher.open(lib, options);
    return watcher === null ? null : new SessionSpawner(lib, attr, watcher);
  }

  /**
   * Whether a child can start in `cwd`: glibc before 2.29 (e.g. RHEL 8) has no
   * `posix_spawn_file_actions_addchdir_np`, so there only this process's own directory works.
   */
  canRunIn(cwd: string): boolean {
    return this.#lib.posix_spawn_file_actions_addchdir_np !== null || cwd === Deno.cwd();
  }

  /** See {@link ChildWatcher.waitsHere}. */
  get waitsHere(): number {
    return this.#watcher.waitsHere;
  }

  /** See {@link ChildWatcher.eagerSpawnsLeft}. */
  get eagerSpawnsLeft(): number {
    return this.#watcher.eagerSpawnsLeft;
  }

  /** See {@link ChildWatcher.idle}: resolves once no wait runs off the main thread. */
  idle(): Promise<void> {
    return this.#watcher.idle();
  }

  /** The C library's text for `errno` (e.g. "Argument list too long"). */
  describe(errno: number): string {
    return strerror(this.#lib, errno);
  }

  /**
   * Creates a pipe; returns [read end, write end], both close-on-exec. Only the read end is
   * non-blocking (the task's stdout must stay an ordinary blocking pipe): a readiness report
   * that another wake-up already consumed must not block the main thread.
   */
  #pipe(): [number, number] {
    if (this.#lib.pipe2(this.#int2, O_CLOEXEC) !== 0) {
      throw failed(lastErrno(this.#lib), "pipe2");
    }
    const r = this.#int2[0];
    const w = this.#int2[1];
    if (this.#lib.fcntl(r, F_SETFL, O_NONBLOCK) !== 0) {
      const errno = lastErrno(this.#lib);
      this.#lib.close(r);
      this.#lib.close(w);
      throw failed(errno, "fcntl");
    }
    return [r, w];
  }

  /**
   * The file actions of a task: stdin from /dev/null, stdout and stderr onto `out` and `err`,
   * nothing else inherited, and `cwd`; or the errno when they cannot be built.
   */
  #actionsFor(out: number, err: number, cwd: string): Uint8Array<ArrayBuffer> | number {
    const key = `${out} ${err} ${cwd}`;
    const sets = this.#actionSets;
    const known = sets.get(key);
    if (known) return known;
    const lib = this.#lib;
    const actions = new Uint8Array(new ArrayBuffer(ACTIONS_BYTES));
    if (lib.posix_spawn_file_actions_init(actions) !== 0) return ERRNO.ENOMEM; // its only failure
    let rc = lib.posix_spawn_file_actions_addopen(actions, 0, this.#devNull, O_RDONLY, 0) ||
      lib.posix_spawn_file_actions_adddup2(actions, out, 1) ||
      lib.posix_spawn_file_actions_adddup2(actions, err, 2);
    // Like Python's close_fds: descriptors the user's shell leaked to us stay out of the task
    // (glibc ≥ 2.34; before that, only our own close-on-exec descriptors are kept out).
    if (rc === 0 && lib.posix_spawn_file_actions_addclosefrom_np) {
      rc = lib.posix_spawn_file_actions_addclosefrom_np(actions, 3);
    }
    // glibc copies the path: the C string need not outlive this call.
    if (rc === 0 && lib.posix_spawn_file_actions_addchdir_np) {
      rc = lib.posix_spawn_file_actions_addchdir_np(actions, this.#cStrings.get(cwd));
    } else if (rc === 0 && cwd !== Deno.cwd()) {
      rc = ERRNO.ENOSYS; // see canRunIn()
    }
    if (rc !== 0) {
      lib.posix_spawn_file_actions_destroy(actions);
      return rc;
    }
    if (sets.size >= MAX_ACTION_SETS) {
      const [oldKey, old] = sets.entries().next().value!;
      sets.delete(oldKey);
      lib.posix_spawn_file_actions_destroy(old);
    }
    sets.set(key, actions);
    return actions;
  }

  /**
   * Starts `opts.file` in a new session with stdin `/dev/null` and stdout/stderr on pipes that
   * are read into `onStdout`/`onStderr`. Throws {@link SessionSpawnError} when nothing started.
   */
  spawn(opts: SessionSpawnOptions): SessionChild {
    const lib = this.#lib;
    const out = this.#pipe();
    let err: [number, number];
    try {
      err = this.#pipe();
    } catch (e) {
      out.forEach((fd) => lib.close(fd));
      throw e;
    }
    const file = this.#cStrings.get(opts.file);
    // Both valid until the next spawn: posix_spawn is done with them when it returns.
    this.#argv.begin();
    for (const a of opts.argv) {
      if (typeof a === "string") this.#argv.addText(a);
      else this.#argv.add(a);
    }
    const argv = this.#argv.end();
    this.#envp.begin();
    this.#environment.write(opts.baseEnv, opts.env, this.#envp);
    const envp = this.#envp.end();
    const actions = this.#actionsFor(out[1], err[1], opts.cwd);
    const rc = typeof actions === "number"
      ? actions
      : lib.posix_spawn(this.#int2, file, actions, this.#attr, argv, envp);
    lib.close(out[1]);
    lib.close(err[1]);
    if (rc !== 0) {
      lib.close(out[0]);
      lib.close(err[0]);
      throw failed(rc, "posix_spawn");
    }
    return this.#watcher.watch(this.#int2[0], out[0], err[0], opts);
  }
}

const MAX_ACTION_SETS = 16;

let shared: SessionSpawner | null | undefined;

/** The process-wide spawner, or null where {@link SessionSpawner.open} cannot provide one. */
export function sessionSpawner(): SessionSpawner | null {
  if (shared === undefined) shared = SessionSpawner.open();
  return shared;
}
