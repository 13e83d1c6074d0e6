/**
 * Starting a task in a new session without an extra `exec`.
 *
 * Deno can give a child its own session only through `detached: true`, which makes Rust fork
 * the whole runtime (≈ 3.6 ms per task here), or by running util-linux `setsid(1)` first (one
 * more `exec` per task, ≈ 0.7 ms of CPU: a third of a trivial task's cost). glibc's
 * `posix_spawn` has had `POSIX_SPAWN_SETSID` since 2.26, so this module calls it through Deno's
 * FFI: one `vfork`-style clone and one `exec`, exactly what `xargs` pays.
 *
 * Completion stays event-driven without a thread per task: each child gets a pidfd
 * (Linux ≥ 5.3), and the pidfds plus the read ends of the stdout/stderr pipes sit in one epoll
 * set. One `epoll_wait` at a time runs off the main thread (a non-blocking FFI call); new
 * descriptors join the set while it waits, so starting a task wakes nothing. After each wake-up
 * the main thread collects whatever else is ready with a zero-timeout `epoll_wait`, which saves a
 * thread hand-over per event. The watcher holds no pending operation while nothing runs (an
 * eventfd ends the wait when the last child is gone), so an idle process can exit.
 *
 * Kernels before 5.3 (RHEL/Rocky 8's 4.18, for one) have no pidfd: there each child's exit is
 * awaited by a blocking `waitpid` off the main thread instead, one pool thread per running child;
 * the pipes are watched the same way.
 *
 * {@link SessionSpawner.open} returns null where any piece is missing (no FFI permission, not
 * glibc, no epoll or eventfd); callers then fall back to `setsid(1)`.
 * @module
 */

/** Wait status of an exited child: exactly one of `code` / `signal` is meaningful. */
export interface SessionStatus {
  /** Exit code (0–255); 0 when killed by a signal. */
  code: number;
  /** Number of the signal that killed the child, or null when it exited. */
  signal: number | null;
}

/** What to start. */
export interface SessionSpawnOptions {
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
  /** Receives each chunk read from the child's stdout (the buffer is reused afterwards). */
  onStdout(chunk: Uint8Array): void;
  /** Receives each chunk read from the child's stderr (the buffer is reused afterwards). */
  onStderr(chunk: Uint8Array): void;
  /**
   * Called synchronously, once, when the child has exited and both pipes have reached end of
   * file (or were given up), before any callback of `status` or `drained` runs. It may start
   * other children: a caller that keeps one child per slot starts the next one here, straight
   * from the event, without a detour through promise callbacks.
   */
  onDone?(status: SessionStatus): void;
}

/** A child started by {@link SessionSpawner.spawn}; it leads its own session and group. */
export interface SessionChild {
  readonly pid: number;
  /** Resolves once the child exited (never rejects). */
  readonly status: Promise<SessionStatus>;
  /** When the child was reaped (epoch milliseconds), or null before. */
  readonly exitedAt: number | null;
  /** Resolves once both pipes reached end of file or were given up. */
  readonly drained: Promise<void>;
  /** Stops reading the pipes and closes them (a background grandchild may hold them open). */
  abandonPipes(): void;
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
const SIGPIPE = 13;
const O_CLOEXEC = 0o2000000;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const EAGAIN = 11;
const EPOLLIN = 0x1;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const MAX_EVENTS = 64;
/** `struct epoll_event` is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
const EVENT_BYTES = Deno.build.arch === "x86_64" ? 12 : 16;
const EVENT_DATA_AT = Deno.build.arch === "x86_64" ? 4 : 8;
const WNOHANG = 1;
/** pidfd_open(2) has the same number on every Linux architecture (new-style numbering). */
const SYS_PIDFD_OPEN = 434n;
/** Generous sizes for glibc's opaque structs (x86_64: 336, 80 and 128 bytes). */
const ATTR_BYTES = 1024;
const ACTIONS_BYTES = 512;
const SIGSET_BYTES = 256;
const READ_CHUNK = 65536;

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

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** One child's bookkeeping. */
interface Child {
  pid: number;
  /** Watch tokens of the stdout and stderr read ends (0 once closed). */
  tokens: [number, number];
  sinks: [(chunk: Uint8Array) => void, (chunk: Uint8Array) => void];
  settle(status: SessionStatus): void;
  /** The exit status once reaped, and when (epoch milliseconds). */
  status: SessionStatus | null;
  exitedAt: number | null;
  /** Cleared once called. */
  onDone: ((status: SessionStatus) => void) | undefined;
  pipesDone(): void;
}

/** A `baseEnv` with this process's environment, encoded for reuse. */
interface PreparedEnv {
  /** Inherited variables that `baseEnv` does not name. */
  inherited: Map<string, string>;
  /** Their `K=V` encodings, in order. */
  head: Uint8Array[];
  /** The names of `baseEnv`, in order, and their `K=V` encodings. */
  keys: string[];
  tail: Uint8Array[];
}

/** A descriptor in the epoll set: the child's pidfd (stream −1) or its stdout (0) / stderr (1). */
interface Watch {
  fd: number;
  child: Child;
  stream: -1 | 0 | 1;
}

const encoder = new TextEncoder();

/** Bytes of `s` plus a terminating NUL, in an off-heap buffer (its address is handed to C). */
function cString(s: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = typeof s === "string" ? encoder.encode(s) : s;
  const out = new Uint8Array(new ArrayBuffer(bytes.length + 1));
  out.set(bytes);
  return out;
}

/**
 * A NULL-terminated `char *[]` pointing into `strings` (NUL-terminated entries laid end to end),
 * whose address is `base`. Addresses are below 2^53, so the halves are written as numbers:
 * BigInt arithmetic here was a visible share of a trivial task's cost.
 */
function pointerArray(base: number, offsets: number[]): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(new ArrayBuffer(8 * (offsets.length + 1)));
  for (let i = 0; i < offsets.length; i++) {
    const p = base + offsets[i];
    words[2 * i] = p % 0x1_0000_0000;
    words[2 * i + 1] = Math.floor(p / 0x1_0000_0000);
  }
  return new Uint8Array(words.buffer);
}

/** Entries as consecutive NUL-terminated strings in one off-heap buffer, and their offsets. */
function packStrings(
  items: Uint8Array[],
): { strings: Uint8Array<ArrayBuffer>; offsets: number[] } {
  let total = 0;
  for (const e of items) total += e.length + 1;
  const strings = new Uint8Array(new ArrayBuffer(Math.max(total, 1)));
  const offsets: number[] = [];
  let at = 0;
  for (const e of items) {
    strings.set(e, at);
    offsets.push(at);
    at += e.length + 1;
  }
  return { strings, offsets };
}

function addressOf(buf: Uint8Array<ArrayBuffer>): number {
  return Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

/** Spawns children in new sessions and watches them; one per process is enough. */
export class SessionSpawner {
  readonly #lib: Libc;
  /** Whether children's exits are watched through pidfds (else by a waitpid off the thread). */
  readonly #pidfds: boolean;
  readonly #attr: Uint8Array<ArrayBuffer>;
  readonly #epoll: number;
  readonly #eventFd: number;
  readonly #readBuf = new Uint8Array(new ArrayBuffer(READ_CHUNK));
  /** Out-parameters of pipe2, posix_spawn and waitpid (all synchronous calls). */
  readonly #int2 = new Int32Array(new ArrayBuffer(8));
  /** posix_spawn_file_actions_t, initialised and destroyed around each spawn. */
  readonly #actions = new Uint8Array(new ArrayBuffer(ACTIONS_BYTES));
  readonly #one = new Uint8Array(new BigUint64Array([1n]).buffer);
  readonly #eventBuf = new Uint8Array(new ArrayBuffer(8));
  readonly #ctlBuf = new DataView(new ArrayBuffer(16));
  /** Filled by the waiting thread: never touched while a wait is in flight. */
  readonly #waitBuf = new DataView(new ArrayBuffer(EVENT_BYTES * MAX_EVENTS));
  readonly #nowBuf = new DataView(new ArrayBuffer(EVENT_BYTES * MAX_EVENTS));
  readonly #devNull = cString("/dev/null");
  /**
   * Epoll data token → descriptor. Tokens are never reused, so an event reported for a
   * descriptor that was closed meanwhile (and whose number a new pipe took) is recognised as
   * stale. Token 0 is the eventfd.
   */
  readonly #watches = new Map<number, Watch>();
  #nextToken = 1;
  #waiting = false;
  /** True while #woke handles events (see there). */
  #handling = false;
  readonly #idleWaiters: (() => void)[] = [];
  /** Per `baseEnv` object: the environment it stands for, encoded once. */
  readonly #prepared = new WeakMap<object, PreparedEnv>();
  /** Recent program paths and working directories as C strings. */
  #cStrings = new Map<string, Uint8Array<ArrayBuffer>>();

  private constructor(
    lib: Libc,
    attr: Uint8Array<ArrayBuffer>,
    epoll: number,
    eventFd: number,
    pidfds: boolean,
  ) {
    this.#pidfds = pidfds;
    this.#lib = lib;
    this.#attr = attr;
    this.#epoll = epoll;
    this.#eventFd = eventFd;
  }

  /**
   * The spawner, or null when this platform or permission set cannot provide it (then use
   * `setsid(1)`). Every piece is probed once: FFI access, glibc's symbols, epoll, eventfd; and
   * whether pidfds exist (`pidfd: false` does without them, as on kernels before 5.3).
   */
  static open(options: { pidfd?: boolean } = {}): SessionSpawner | null {
    if (Deno.build.os !== "linux") return null;
    // Never prompt: without --allow-ffi the setsid(1) path is used.
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    let lib: Libc;
    try {
      lib = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    } catch {
      return null; // no --allow-ffi, or not glibc
    }
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
    let pidfds = options.pidfd ?? true;
    if (pidfds) {
      const probe = Number(lib.syscall(SYS_PIDFD_OPEN, BigInt(Deno.pid), 0n));
      if (probe >= 0) lib.close(probe);
      else pidfds = false; // kernel older than 5.3
    }
    const epoll = lib.epoll_create1(EPOLL_CLOEXEC);
    const eventFd = lib.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const spawner = epoll < 0 || eventFd < 0
      ? null
      : new SessionSpawner(lib, attr, epoll, eventFd, pidfds);
    if (spawner === null || !spawner.#add(eventFd, 0)) {
      if (epoll >= 0) lib.close(epoll);
      if (eventFd >= 0) lib.close(eventFd);
      return null;
    }
    return spawner;
  }

  /**
   * Whether a child can start in `cwd`: glibc before 2.29 (e.g. RHEL 8) has no
   * `posix_spawn_file_actions_addchdir_np`, so there only this process's own directory works.
   */
  canRunIn(cwd: string): boolean {
    return this.#lib.posix_spawn_file_actions_addchdir_np !== null || cwd === Deno.cwd();
  }

  /**
   * Resolves once no wait runs off the main thread. The last child's result can be delivered
   * while a wait is still in flight (its pipes were read by a zero-timeout collection, and the
   * eventfd is still to end the wait); tests await this so that no operation outlives the test
   * that started it.
   */
  idle(): Promise<void> {
    if (!this.#waiting) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The C library's text for `errno` (e.g. "Argument list too long"). */
  describe(errno: number): string {
    const p = this.#lib.strerror(errno);
    return p === null ? `Error ${errno}` : new Deno.UnsafePointerView(p).getCString();
  }

  #errno(): number {
    const p = this.#lib.__errno_location();
    return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
  }

  /**
   * Creates a pipe; returns [read end, write end], both close-on-exec. Only the read end is
   * non-blocking (the task's stdout must stay an ordinary blocking pipe): a readiness report
   * that another wake-up already consumed must not block the main thread.
   */
  #pipe(): [number, number] {
    if (this.#lib.pipe2(this.#int2, O_CLOEXEC) !== 0) {
      throw failed(this.#errno(), "pipe2");
    }
    const [r, w] = [this.#int2[0], this.#int2[1]];
    if (this.#lib.fcntl(r, F_SETFL, O_NONBLOCK) !== 0) {
      const errno = this.#errno();
      this.#lib.close(r);
      this.#lib.close(w);
      throw failed(errno, "fcntl");
    }
    return [r, w];
  }

  /** The environment of a child: see {@link SessionSpawnOptions.baseEnv}. */
  #childEnvironment(
    base: Readonly<Record<string, string>> | undefined,
    extra: Record<string, string>,
  ): Uint8Array[] {
    if (base === undefined) return this.#environment(extra);
    let p = this.#prepared.get(base);
    if (p === undefined) {
      const inherited = new Map(Object.entries(Deno.env.toObject()));
      const keys = Object.keys(base);
      for (const k of keys) inherited.delete(k);
      p = {
        inherited,
        head: [...inherited].map(([k, v]) => encoder.encode(`${k}=${v}`)),
        keys,
        tail: keys.map((k) => encoder.encode(`${k}=${base[k]}`)),
      };
      this.#prepared.set(base, p);
    }
    let head = p.head;
    const items: Uint8Array[] = [];
    for (const k in extra) {
      if (Object.hasOwn(base, k) || !p.inherited.has(k)) continue;
      // Rare: `extra` replaces an inherited variable that `base` does not name.
      head = [...p.inherited].filter(([name]) => !Object.hasOwn(extra, name))
        .map(([name, v]) => encoder.encode(`${name}=${v}`));
      break;
    }
    items.push(...head);
    for (let i = 0; i < p.keys.length; i++) {
      const k = p.keys[i];
      items.push(Object.hasOwn(extra, k) ? encoder.encode(`${k}=${extra[k]}`) : p.tail[i]);
    }
    for (const k in extra) {
      if (Object.hasOwn(extra, k) && !Object.hasOwn(base, k)) {
        items.push(encoder.encode(`${k}=${extra[k]}`));
      }
    }
    return items;
  }

  /** `s` as a C string, kept for the next spawns (programs and directories repeat). */
  #cString(s: string): Uint8Array<ArrayBuffer> {
    let c = this.#cStrings.get(s);
    if (c === undefined) {
      if (this.#cStrings.size >= 16) this.#cStrings = new Map();
      c = cString(s);
      this.#cStrings.set(s, c);
    }
    return c;
  }

  /** This process's environment (read now: it may have changed) with `extra` on top. */
  #environment(extra: Record<string, string>): Uint8Array[] {
    const items: Uint8Array[] = [];
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      if (!Object.hasOwn(extra, k)) items.push(encoder.encode(`${k}=${v}`));
    }
    for (const [k, v] of Object.entries(extra)) items.push(encoder.encode(`${k}=${v}`));
    return items;
  }

  /** Adds `fd` to the epoll set under `token`. */
  #add(fd: number, token: number): boolean {
    const ev = this.#ctlBuf;
    ev.setUint32(0, EPOLLIN, true);
    ev.setUint32(EVENT_DATA_AT, token, true);
    ev.setUint32(EVENT_DATA_AT + 4, 0, true);
    return this.#lib.epoll_ctl(this.#epoll, EPOLL_CTL_ADD, fd, new Uint8Array(ev.buffer)) === 0;
  }

  #watch(fd: number, child: Child, stream: -1 | 0 | 1): number {
    const token = this.#nextToken++;
    if (!this.#add(fd, token)) throw failed(this.#errno(), "epoll_ctl");
    this.#watches.set(token, { fd, child, stream });
    return token;
  }

  /** Handles whatever is ready now, on the main thread. */
  #collectNow(): void {
    for (let round = 0; round < 8 && this.#watches.size > 0; round++) {
      const now = this.#lib.epoll_wait_now(
        this.#epoll,
        new Uint8Array(this.#nowBuf.buffer),
        MAX_EVENTS,
        0,
      );
      if (now <= 0) break;
      this.#handle(this.#nowBuf, now);
    }
    this.#settled();
  }

  /** After a batch: end the in-flight wait once nothing is watched. */
  #settled(): void {
    if (this.#watches.size > 0) return;
    this.#maybeIdle();
  }

  /** Removes a watched descriptor from the set and closes it. */
  #unwatch(token: number): void {
    const w = this.#watches.get(token);
    if (w === undefined) return;
    this.#watches.delete(token);
    this.#lib.epoll_ctl(this.#epoll, EPOLL_CTL_DEL, w.fd, new Uint8Array(this.#ctlBuf.buffer));
    this.#lib.close(w.fd);
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
    const actions = this.#actions;
    if (lib.posix_spawn_file_actions_init(actions) !== 0) {
      [...out, ...err].forEach((fd) => lib.close(fd));
      throw failed(12, "posix_spawn_file_actions_init"); // ENOMEM, its only failure
    }
    const file = this.#cString(opts.file);
    const cwd = this.#cString(opts.cwd);
    const argv = packStrings(opts.argv.map((a) => typeof a === "string" ? encoder.encode(a) : a));
    const envp = packStrings(this.#childEnvironment(opts.baseEnv, opts.env));
    let rc = lib.posix_spawn_file_actions_addopen(actions, 0, this.#devNull, O_RDONLY, 0) ||
      lib.posix_spawn_file_actions_adddup2(actions, out[1], 1) ||
      lib.posix_spawn_file_actions_adddup2(actions, err[1], 2);
    // Like Python's close_fds: descriptors the user's shell leaked to us stay out of the task
    // (glibc ≥ 2.34; before that, only our own close-on-exec descriptors are kept out).
    if (rc === 0 && lib.posix_spawn_file_actions_addclosefrom_np) {
      rc = lib.posix_spawn_file_actions_addclosefrom_np(actions, 3);
    }
    if (rc === 0 && lib.posix_spawn_file_actions_addchdir_np) {
      rc = lib.posix_spawn_file_actions_addchdir_np(actions, cwd);
    } else if (rc === 0 && opts.cwd !== Deno.cwd()) {
      rc = 38; // ENOSYS: see canRunIn()
    }
    if (rc === 0) {
      rc = lib.posix_spawn(
        this.#int2,
        file,
        actions,
        this.#attr,
        pointerArray(addressOf(argv.strings), argv.offsets),
        pointerArray(addressOf(envp.strings), envp.offsets),
      );
    }
    lib.posix_spawn_file_actions_destroy(actions);
    // The strings must outlive the call: keep them referenced until here.
    void [argv.strings, envp.strings, file, cwd];
    lib.close(out[1]);
    lib.close(err[1]);
    if (rc !== 0) {
      lib.close(out[0]);
      lib.close(err[0]);
      throw failed(rc, "posix_spawn");
    }
    const pid = this.#int2[0];
    let settle!: (s: SessionStatus) => void;
    let pipesDone!: () => void;
    const status = new Promise<SessionStatus>((r) => settle = r);
    const drained = new Promise<void>((r) => pipesDone = r);
    const child: Child = {
      pid,
      tokens: [0, 0],
      sinks: [opts.onStdout, opts.onStderr],
      settle,
      status: null,
      exitedAt: null,
      onDone: opts.onDone,
      pipesDone,
    };
    const readEnds = [out[0], err[0]];
    try {
      for (const stream of [0, 1] as const) {
        child.tokens[stream] = this.#watch(readEnds[stream], child, stream);
      }
    } catch {
      // Out of descriptors or similar, with the child already running: let its output go.
      readEnds.forEach((fd, stream) => {
        if (child.tokens[stream] === 0) lib.close(fd);
      });
      this.#abandon(child);
    }
    const pidfd = this.#pidfds ? Number(lib.syscall(SYS_PIDFD_OPEN, BigInt(pid), 0n)) : -1;
    let watched = false;
    if (pidfd >= 0) {
      try {
        this.#watch(pidfd, child, -1);
        watched = true;
      } catch {
        lib.close(pidfd);
      }
    }
    // For the same causes, wait for the exit off the main thread instead.
    if (!watched) void this.#waitOffThread(child);
    this.#arm();
    return {
      pid,
      status,
      get exitedAt() {
        return child.exitedAt;
      },
      drained,
      abandonPipes: () => this.#abandon(child),
    };
  }

  /** Awaits the child's exit with a blocking waitpid on a pool thread (no pidfd to watch). */
  async #waitOffThread(child: Child): Promise<void> {
    const statusBuf = new Int32Array(new ArrayBuffer(8));
    let r = await this.#lib.waitpid_blocking(child.pid, statusBuf, 0);
    // A failure's errno belongs to that thread: ask again here. Still running (0) means the wait
    // was interrupted by a signal; anything else is final.
    while (r < 0) {
      r = this.#lib.waitpid(child.pid, statusBuf, WNOHANG);
      if (r === 0) r = await this.#lib.waitpid_blocking(child.pid, statusBuf, 0);
      else break;
    }
    exited(child, r === child.pid ? decodeStatus(statusBuf[0]) : { code: 255, signal: null });
  }

  /** Gives up the child's pipes (closing them). */
  #abandon(child: Child): void {
    for (const token of child.tokens) this.#unwatch(token);
    child.tokens = [0, 0];
    child.pipesDone();
    finished(child);
    this.#settled();
  }

  /** Ends the in-flight wait once nothing is left to watch, so the process can exit. */
  #maybeIdle(): void {
    if (this.#waiting && this.#watches.size === 0) {
      this.#lib.write(this.#eventFd, this.#one, 8n);
    }
  }

  /** Starts a wait off the main thread unless one runs or nothing is watched. */
  #arm(): void {
    if (this.#waiting || this.#handling || this.#watches.size === 0) return;
    this.#waiting = true;
    const buf = this.#waitBuf;
    this.#lib.epoll_wait(this.#epoll, new Uint8Array(buf.buffer), MAX_EVENTS, -1).then(
      (n) => this.#woke(buf, n),
      () => this.#woke(buf, 0),
    );
  }

  #woke(buf: DataView, n: number): void {
    this.#waiting = false;
    // An exit hook may spawn; its #arm must wait: the new wait would write into `buf`.
    this.#handling = true;
    try {
      this.#handle(buf, n);
      // Whatever else became ready meanwhile, without another trip through the thread pool.
      this.#collectNow();
    } finally {
      this.#handling = false;
    }
    this.#arm();
    if (!this.#waiting) { for (const resolve of this.#idleWaiters.splice(0)) resolve(); }
  }

  /** Handles `n` events from `buf`. */
  #handle(buf: DataView, n: number): void {
    const lib = this.#lib;
    for (let i = 0; i < n; i++) {
      const token = buf.getUint32(i * EVENT_BYTES + EVENT_DATA_AT, true);
      if (token === 0) {
        // Only once the waiting thread has returned: consuming its wake-up call while it still
        // waits would leave it waiting forever.
        if (!this.#waiting) lib.read(this.#eventFd, this.#eventBuf, 8n);
        continue;
      }
      const watch = this.#watches.get(token);
      if (watch === undefined) continue; // closed since the kernel reported it
      const { child, stream, fd } = watch;
      if (stream === -1) {
        const r = lib.waitpid(child.pid, this.#int2, WNOHANG);
        if (r === 0) continue; // not a zombie yet: keep watching
        this.#unwatch(token);
        exited(child, r === child.pid ? decodeStatus(this.#int2[0]) : { code: 255, signal: null });
        continue;
      }
      // One read() takes what is there; 0 is end of file, EAGAIN a report already handled.
      const got = Number(lib.read(fd, this.#readBuf, BigInt(READ_CHUNK)));
      if (got > 0) {
        child.sinks[stream](this.#readBuf.subarray(0, got));
        continue;
      }
      if (got < 0 && this.#errno() === EAGAIN) continue;
      this.#unwatch(token);
      child.tokens[stream] = 0;
      if (child.tokens[0] === 0 && child.tokens[1] === 0) {
        child.pipesDone();
        finished(child);
      }
    }
  }
}

/** Records a reaped child and settles its `status` (whose callbacks run later). */
function exited(child: Child, status: SessionStatus): void {
  // Taken here, not when a promise callback runs: onDone may start the slot's next task now,
  // and a slot must never show two tasks at once in the status file.
  child.exitedAt = Date.now();
  child.status = status;
  child.settle(status);
  finished(child);
}

/** Calls the child's `onDone` once it has exited and its pipes are closed. */
function finished(child: Child): void {
  const onDone = child.onDone;
  if (onDone === undefined || child.status === null || child.tokens[0] + child.tokens[1] !== 0) {
    return;
  }
  child.onDone = undefined;
  try {
    onDone(child.status);
  } catch (e) {
    // A failing hook is the caller's bug: it surfaces, but not in the middle of an event batch.
    queueMicrotask(() => {
      throw e;
    });
  }
}

/** Decodes a wait(2) status word. */
function decodeStatus(word: number): SessionStatus {
  const sig = word & 0x7f;
  return sig === 0 ? { code: (word >> 8) & 0xff, signal: null } : { code: 0, signal: sig };
}

let shared: SessionSpawner | null | undefined;

/** The process-wide spawner, or null where {@link SessionSpawner.open} cannot provide one. */
export function sessionSpawner(): SessionSpawner | null {
  if (shared === undefined) shared = SessionSpawner.open();
  return shared;
}
