/**
 * Watching started children without a thread per child: each child gets a pidfd (Linux ≥ 5.3),
 * and the pidfds plus the read ends of the stdout/stderr pipes sit in one epoll set. One
 * `epoll_wait` at a time runs off the main thread (a non-blocking FFI call); new descriptors
 * join the set while it waits, so starting a child wakes nothing. After each wake-up the main
 * thread collects whatever else is ready with a zero-timeout `epoll_wait`, which saves a thread
 * hand-over per event. The watcher holds no pending operation while nothing runs (an eventfd
 * ends the wait when the last child is gone), so an idle process can exit.
 *
 * A child's pipes join the set only once it has run for {@link LAZY_PIPE_MS}; until then its
 * pidfd alone is watched, and a child that exits sooner has its pipes read to their end at its
 * exit. Most tasks of a large run are that short, and for them this saves four `epoll_ctl`
 * calls and the wake-ups of the pipes' end arriving apart from the exit: about 4 % of the CPU of a
 * run of 2,000 × `true` on 2 slots (bench/RESULTS.md). A task that writes more than a pipe holds
 * (64 KiB) in its first milliseconds waits at most that long for its pipes to be watched; once
 * one such full pipe is seen, the next {@link EAGER_SPAWNS} children's pipes are watched from
 * their start (a run of output-heavy tasks stalls once in that many).
 *
 * While exits come every few milliseconds, the main thread waits for them itself, between two
 * turns of the event loop, for at most about twice the recent gap (see exit_pace.ts): the
 * round trip through the pool thread costs more than such a short block of the event loop.
 *
 * Kernels before 5.3 (RHEL/Rocky 8's 4.18, for one) have no pidfd: there each child's exit is
 * awaited by a blocking `waitpid` off the main thread instead, one pool thread per running
 * child; the pipes are watched the same way.
 * @module
 */
import { ERRNO } from "../os/errno.ts";
import { ExitPace, HOT_GAP_MS } from "./exit_pace.ts";
import { lastErrno, type Libc } from "./libc.ts";
import { LoopTurns } from "./loop_turns.ts";
import type { ChildCallbacks, SessionChild } from "./session_child.ts";
import { reapedStatus, type SessionStatus } from "./wait_status.ts";

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
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
const READ_CHUNK = 65536;
/**
 * How long a child runs before its pipes are watched (milliseconds). Long enough for a trivial
 * task to end (5–8 ms on a slow host), short enough that a task that fills its pipe early only
 * stalls briefly.
 */
export const LAZY_PIPE_MS = 20;
/** How many children after a full lazy pipe have their pipes watched from the start. */
export const EAGER_SPAWNS = 64;

/** How a {@link ChildWatcher} works; the defaults are for real use, the others for tests. */
export interface WatcherOptions {
  /** Watch exits through pidfds where the kernel has them (default true). */
  pidfd?: boolean;
  /** Replaces {@link EAGER_SPAWNS} (0: pipes always lazy). */
  eagerSpawns?: number;
  /** The pace of exits that makes the main thread wait itself (see exit_pace.ts). */
  hotGapMs?: number;
  /** Replaces {@link LAZY_PIPE_MS}. */
  lazyPipeMs?: number;
}

/** One child's bookkeeping. */
interface Child {
  pid: number;
  /** Watch tokens of the stdout and stderr read ends (0 once closed, −1 while lazy). */
  tokens: [number, number];
  /** The read ends not watched yet (see LAZY_PIPE_MS), else null. */
  lazy: [number, number] | null;
  /** When the lazy pipes are due to be watched (performance.now()). */
  lazyUntil: number;
  sinks: [(chunk: Uint8Array) => void, (chunk: Uint8Array) => void];
  settle(status: SessionStatus): void;
  /** The exit status once reaped, and when (epoch milliseconds). */
  status: SessionStatus | null;
  exitedAt: number | null;
  /** Cleared once called. */
  onDone: ((status: SessionStatus) => void) | undefined;
  pipesDone(): void;
}

/** A descriptor in the epoll set: the child's pidfd (stream −1) or its stdout (0) / stderr (1). */
interface Watch {
  fd: number;
  child: Child;
  stream: -1 | 0 | 1;
}

/** Watches children's exits and reads their pipes (see the module doc); one per process. */
export class ChildWatcher {
  readonly #lib: Libc;
  /** Whether children's exits are watched through pidfds (else by a waitpid off the thread). */
  readonly #pidfds: boolean;
  readonly #epoll: number;
  readonly #eventFd: number;
  readonly #readBuf = new Uint8Array(new ArrayBuffer(READ_CHUNK));
  /** Out-parameter of the synchronous waitpid. */
  readonly #statusWord = new Int32Array(new ArrayBuffer(8));
  readonly #one = new Uint8Array(new BigUint64Array([1n]).buffer);
  readonly #eventBuf = new Uint8Array(new ArrayBuffer(8));
  readonly #ctlBuf = new DataView(new ArrayBuffer(16));
  /** Filled by the waiting thread: never touched while a wait is in flight. */
  readonly #waitBuf = new DataView(new ArrayBuffer(EVENT_BYTES * MAX_EVENTS));
  readonly #nowBuf = new DataView(new ArrayBuffer(EVENT_BYTES * MAX_EVENTS));
  /**
   * Epoll data token → descriptor. Tokens are never reused, so an event reported for a
   * descriptor that was closed meanwhile (and whose number a new pipe took) is recognised as
   * stale. Token 0 is the eventfd.
   */
  readonly #watches = new Map<number, Watch>();
  #nextToken = 1;
  #waiting = false;
  /** True while a wait on the main thread is scheduled (see exit_pace.ts). */
  #hot = false;
  /**
   * Schedules the waits on the main thread between turns of the event loop. Its port is open
   * only while waits run here: closed when they go back to the pool thread or nothing is left
   * to watch (an open port keeps the process alive).
   */
  readonly #turns = new LoopTurns(() => this.#waitHere());
  readonly #pace: ExitPace;
  /** How many waits ran on the main thread (for tests). */
  #waitsHere = 0;
  /**
   * When the wait in flight times out (performance.now(); Infinity: never, −Infinity: it was
   * ended early to make it time out sooner).
   */
  #waitDeadline = Infinity;
  /** Children with lazy pipes, in start order (so in order of their due time) from #lazyHead. */
  #lazy: Child[] = [];
  #lazyHead = 0;
  /** Children still to start with their pipes watched at once (see EAGER_SPAWNS). */
  #eagerFor = 0;
  /** True while #woke handles events (see there). */
  #handling = false;
  readonly #idleWaiters: (() => void)[] = [];

  /** See EAGER_SPAWNS. */
  readonly #eagerSpawns: number;
  readonly #lazyPipeMs: number;

  private constructor(lib: Libc, epoll: number, eventFd: number, o: Required<WatcherOptions>) {
    this.#pace = new ExitPace(o.hotGapMs);
    this.#pidfds = o.pidfd;
    this.#eagerSpawns = o.eagerSpawns;
    this.#lazyPipeMs = o.lazyPipeMs;
    this.#lib = lib;
    this.#epoll = epoll;
    this.#eventFd = eventFd;
  }

  /**
   * The watcher, or null without epoll or eventfd. Pidfds are used unless `pidfd` is false, when
   * the kernel has them (probed once); else exits are awaited by `waitpid` off the main thread.
   */
  static open(lib: Libc, options: WatcherOptions = {}): ChildWatcher | null {
    let pidfds = options.pidfd ?? true;
    if (pidfds) {
      const probe = Number(lib.syscall(SYS_PIDFD_OPEN, BigInt(Deno.pid), 0n));
      if (probe >= 0) lib.close(probe);
      else pidfds = false; // kernel older than 5.3
    }
    const epoll = lib.epoll_create1(EPOLL_CLOEXEC);
    const eventFd = lib.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const watcher = epoll < 0 || eventFd < 0 ? null : new ChildWatcher(lib, epoll, eventFd, {
      pidfd: pidfds,
      eagerSpawns: options.eagerSpawns ?? EAGER_SPAWNS,
      hotGapMs: options.hotGapMs ?? HOT_GAP_MS,
      lazyPipeMs: options.lazyPipeMs ?? LAZY_PIPE_MS,
    });
    if (watcher === null || !watcher.#add(eventFd, 0)) {
      if (epoll >= 0) lib.close(epoll);
      if (eventFd >= 0) lib.close(eventFd);
      return null;
    }
    return watcher;
  }

  /** How many waits for events ran on the main thread so far (see exit_pace.ts). */
  get waitsHere(): number {
    return this.#waitsHere;
  }

  /** How many of the next children will have their pipes watched from the start. */
  get eagerSpawnsLeft(): number {
    return this.#eagerFor;
  }

  /**
   * Resolves once no wait runs off the main thread. The last child's result can be delivered
   * while a wait is still in flight (its pipes were read by a zero-timeout collection, and the
   * eventfd is still to end the wait); tests await this so that no operation outlives the test
   * that started it.
   */
  idle(): Promise<void> {
    if (!this.#waiting && !this.#hot) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Takes over the running child `pid` and the non-blocking read ends of its stdout and stderr
   * pipes (closed here once done with). Never throws: a descriptor that cannot join the epoll
   * set (out of descriptors or similar) costs the child's output, or has its exit awaited off
   * the main thread.
   */
  watch(pid: number, stdout: number, stderr: number, callbacks: ChildCallbacks): SessionChild {
    const lib = this.#lib;
    let settle!: (s: SessionStatus) => void;
    let pipesDone!: () => void;
    const status = new Promise<SessionStatus>((r) => settle = r);
    const drained = new Promise<void>((r) => pipesDone = r);
    const child: Child = {
      pid,
      tokens: [0, 0],
      lazy: null,
      lazyUntil: 0,
      sinks: [callbacks.onStdout, callbacks.onStderr],
      settle,
      status: null,
      exitedAt: null,
      onDone: callbacks.onDone,
      pipesDone,
    };
    const pidfd = this.#pidfds ? Number(lib.syscall(SYS_PIDFD_OPEN, BigInt(pid), 0n)) : -1;
    let watched = false;
    if (pidfd >= 0) {
      watched = this.#watch(pidfd, child, -1) !== 0;
      if (!watched) lib.close(pidfd);
    }
    if (watched && this.#eagerFor > 0) {
      this.#eagerFor--;
      this.#watchPipes(child, stdout, stderr);
    } else if (watched) {
      // The exit is watched: the pipes can wait (see LAZY_PIPE_MS).
      child.tokens = [-1, -1];
      child.lazy = [stdout, stderr];
      child.lazyUntil = performance.now() + this.#lazyPipeMs;
      this.#lazy.push(child);
      // A wait in flight that would sleep past the due time is ended, to be armed again.
      if (this.#waiting && child.lazyUntil < this.#waitDeadline) {
        this.#waitDeadline = -Infinity;
        lib.write(this.#eventFd, this.#one, 8n);
      }
    } else {
      // No pidfd (old kernel, out of descriptors): the exit is awaited off the main thread, and
      // the pipes are watched from the start.
      this.#watchPipes(child, stdout, stderr);
      void this.#waitOffThread(child);
    }
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

  /**
   * Puts the child's pipes in the epoll set. Never throws: where a descriptor cannot join
   * (out of descriptors or similar), with the child already running, its output is let go.
   */
  #watchPipes(child: Child, stdout: number, stderr: number): void {
    const readEnds = [stdout, stderr];
    child.tokens = [0, 0];
    for (const stream of [0, 1] as const) {
      child.tokens[stream] = this.#watch(readEnds[stream], child, stream);
      if (child.tokens[stream] === 0) break;
    }
    if (child.tokens[0] === 0 || child.tokens[1] === 0) {
      readEnds.forEach((fd, stream) => {
        if (child.tokens[stream] === 0) this.#lib.close(fd);
      });
      this.#abandon(child);
    }
  }

  /** Watches the lazy pipes of the children that are due. */
  #promoteDue(): void {
    const now = performance.now();
    const queue = this.#lazy;
    while (this.#lazyHead < queue.length) {
      const child = queue[this.#lazyHead];
      if (child.lazy !== null) {
        if (child.lazyUntil > now) break;
        const [stdout, stderr] = child.lazy;
        child.lazy = null;
        // What is there already is read now: a full pipe means the child is waiting for us.
        for (const stream of [0, 1] as const) {
          const got = this.#readInto(child, stream, stream === 0 ? stdout : stderr);
          if (got === READ_CHUNK) this.#eagerFor = this.#eagerSpawns;
        }
        this.#watchPipes(child, stdout, stderr);
      }
      this.#lazyHead++;
    }
    if (this.#lazyHead === queue.length) {
      this.#lazy = [];
      this.#lazyHead = 0;
    } else if (this.#lazyHead > 1024) {
      this.#lazy = queue.slice(this.#lazyHead);
      this.#lazyHead = 0;
    }
  }

  /** When the next lazy pipes are due (performance.now()), or Infinity. */
  #nextDue(): number {
    const queue = this.#lazy;
    for (let i = this.#lazyHead; i < queue.length; i++) {
      if (queue[i].lazy !== null) return queue[i].lazyUntil;
    }
    return Infinity;
  }

  /**
   * Reads an exited child's lazy pipes: to their end, or, where something else (a background
   * grandchild) still holds one open, as far as it goes, and then it is watched.
   */
  #drainLazy(child: Child): void {
    const lazy = child.lazy;
    if (lazy === null) return;
    child.lazy = null;
    const lib = this.#lib;
    for (const stream of [0, 1] as const) {
      const fd = lazy[stream];
      for (;;) {
        const got = this.#readInto(child, stream, fd);
        if (got === READ_CHUNK) this.#eagerFor = this.#eagerSpawns;
        if (got > 0) continue;
        if (got < 0 && lastErrno(lib) === ERRNO.EAGAIN) {
          child.tokens[stream] = this.#watch(fd, child, stream);
          if (child.tokens[stream] === 0) lib.close(fd); // its output is let go
        } else {
          lib.close(fd);
          child.tokens[stream] = 0;
        }
        break;
      }
    }
    if (child.tokens[0] === 0 && child.tokens[1] === 0) {
      child.pipesDone();
      finished(child);
    }
  }

  /** One read() of `fd` into the child's sink for `stream`; returns what read() returned. */
  #readInto(child: Child, stream: 0 | 1, fd: number): number {
    const got = Number(this.#lib.read(fd, this.#readBuf, BigInt(READ_CHUNK)));
    if (got > 0) child.sinks[stream](this.#readBuf.subarray(0, got));
    return got;
  }

  /** Adds `fd` to the epoll set under `token`. */
  #add(fd: number, token: number): boolean {
    const ev = this.#ctlBuf;
    ev.setUint32(0, EPOLLIN, true);
    ev.setUint32(EVENT_DATA_AT, token, true);
    ev.setUint32(EVENT_DATA_AT + 4, 0, true);
    return this.#lib.epoll_ctl(this.#epoll, EPOLL_CTL_ADD, fd, new Uint8Array(ev.buffer)) === 0;
  }

  /** Watches `fd` for `child`; returns its token, or 0 when it could not join the set. */
  #watch(fd: number, child: Child, stream: -1 | 0 | 1): number {
    const token = this.#nextToken++;
    if (!this.#add(fd, token)) return 0;
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

  /**
   * Removes a watched descriptor from the set and closes it. A pidfd is only closed: nothing
   * else holds it (it is close-on-exec, and never duplicated), so closing it takes it out of
   * the set, one system call less per task; a stale report would be recognised by its token.
   */
  #unwatch(token: number): void {
    const w = this.#watches.get(token);
    if (w === undefined) return;
    this.#watches.delete(token);
    if (w.stream !== -1) {
      this.#lib.epoll_ctl(this.#epoll, EPOLL_CTL_DEL, w.fd, new Uint8Array(this.#ctlBuf.buffer));
    }
    this.#lib.close(w.fd);
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
    exited(child, reapedStatus(r, child.pid, statusBuf[0]));
  }

  /** Gives up the child's pipes (closing them). */
  #abandon(child: Child): void {
    const lazy = child.lazy;
    child.lazy = null;
    child.tokens.forEach((token, stream) => {
      if (token === -1) this.#lib.close(lazy![stream]);
      else this.#unwatch(token);
    });
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

  /**
   * Starts the next wait unless one runs or nothing is watched: on the main thread while exits
   * come often, else off it.
   */
  #arm(): void {
    if (this.#waiting || this.#hot || this.#handling) return;
    if (this.#watches.size > 0 && this.#pidfds && this.#pace.hotTimeout() !== null) {
      this.#hot = true;
      this.#turns.next();
      return;
    }
    // The only place where waits leave the main thread: its port goes with them.
    this.#turns.close();
    if (this.#watches.size === 0) return;
    this.#waiting = true;
    const buf = this.#waitBuf;
    const due = this.#nextDue();
    this.#waitDeadline = due;
    const timeout = due === Infinity ? -1 : Math.max(0, Math.ceil(due - performance.now()));
    this.#lib.epoll_wait(this.#epoll, new Uint8Array(buf.buffer), MAX_EVENTS, timeout).then(
      (n) => this.#woke(buf, n),
      () => this.#woke(buf, 0),
    );
  }

  /**
   * Waits on this thread for at most the pace's timeout (or until lazy pipes are due), and
   * handles it. Nothing changes the pace between #arm and this call: no other wait runs.
   */
  #waitHere(): void {
    this.#hot = false;
    const limit = this.#pace.hotTimeout();
    if (this.#watches.size === 0 || limit === null) {
      this.#arm();
      this.#settleIdle();
      return;
    }
    const due = this.#nextDue();
    const untilDue = due === Infinity ? limit : Math.max(0, Math.ceil(due - performance.now()));
    const timeout = Math.min(limit, untilDue);
    this.#waitsHere++;
    const n = this.#lib.epoll_wait_now(
      this.#epoll,
      new Uint8Array(this.#waitBuf.buffer),
      MAX_EVENTS,
      timeout,
    );
    if (n === 0 && timeout === limit) this.#pace.missed();
    this.#process(this.#waitBuf, Math.max(0, n));
  }

  #woke(buf: DataView, n: number): void {
    this.#waiting = false;
    this.#process(buf, n);
  }

  /** Handles `n` events of a wait, then whatever else is ready, and starts the next wait. */
  #process(buf: DataView, n: number): void {
    // An exit hook may spawn; its #arm must wait: the new wait would write into `buf`.
    this.#handling = true;
    try {
      this.#handle(buf, n);
      // Whatever else became ready meanwhile, without another trip through the thread pool.
      this.#collectNow();
      this.#promoteDue();
    } finally {
      this.#handling = false;
    }
    this.#arm();
    this.#settleIdle();
  }

  /** Resolves idle() once no wait is in flight or scheduled. */
  #settleIdle(): void {
    if (!this.#waiting && !this.#hot) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
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
        const r = lib.waitpid(child.pid, this.#statusWord, WNOHANG);
        if (r === 0) continue; // not a zombie yet: keep watching
        this.#unwatch(token);
        this.#pace.exited(performance.now());
        exited(child, reapedStatus(r, child.pid, this.#statusWord[0]));
        this.#drainLazy(child);
        continue;
      }
      // One read() takes what is there; 0 is end of file, EAGAIN a report already handled.
      const got = Number(lib.read(fd, this.#readBuf, BigInt(READ_CHUNK)));
      if (got > 0) {
        child.sinks[stream](this.#readBuf.subarray(0, got));
        continue;
      }
      if (got < 0 && lastErrno(lib) === ERRNO.EAGAIN) continue;
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
  if (
    onDone === undefined || child.status === null || child.tokens[0] !== 0 || child.tokens[1] !== 0
  ) {
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
