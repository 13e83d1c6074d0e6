/**
 * The driver: the I/O shell of a run. It owns the listener and connections, the task source,
 * the status file, signals and timers, and translates between them and run_core.ts, which
 * decides everything. Each connection role has one dispatch method; an exception in a handler
 * is a bug in the driver: it stops the run (logged with its stack), never counts as a lost peer.
 * @module
 */
import { type Connection, newSecret } from "../net/connection.ts";
import { Channel } from "../net/channel.ts";
import { attachRegistered } from "../net/registered_channel.ts";
import { Listener } from "../net/listener.ts";
import { memoryPair } from "../net/memory_pair.ts";
import { shortHostName } from "../net/connect.ts";
import type { Logger } from "../log/logger.ts";
import type { Role, RunInfo, RunState } from "../protocol/messages.ts";
import {
  DRIVER_ENGINE_SIDE,
  type DriverToEngine,
  type EngineToDriver,
  perEngineMessage,
  taskMessage,
} from "../protocol/engine_messages.ts";
import {
  type ContextToDriver,
  DRIVER_CONTEXT_SIDE,
  type DriverToContext,
} from "../protocol/context_messages.ts";
import { DRIVER_CLIENT_SIDE } from "../protocol/client_messages.ts";
import { renderRunEnd } from "../protocol/run_end_record.ts";
import type { ResumeIndex } from "../status/resume_index.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { after, every, type Timer } from "../time/timer.ts";
import { advertisedAddresses, appendRunEnd, writeHelperScript } from "./helper_script.ts";
import type { StatusFile } from "./status_file.ts";
import { basename } from "./posix_path.ts";
import { SubmissionSource } from "./submission_source.ts";
import { STOP_SIGNALS, type StopSignal } from "./stop_signals.ts";
import type { DriverConfig, DriverReporter, ItemSource } from "./driver_config.ts";
import type { TaskItem } from "../taskfile/task_item.ts";
import type { RunOutcome } from "./run_outcome.ts";
import { ABANDON_AFTER_MS } from "./stop_rules.ts";
import type { EnginePeer } from "./peer_registry.ts";
import { ClientRouter, resultView } from "./client_router.ts";
import { answerClient, type ClientRequestContext } from "./client_requests.ts";
import { type CorePorts, RunCore } from "./run_core.ts";
import { WallWatch } from "./wall_watch.ts";
import { capacityOf } from "./sized_tasks.ts";

export type { DriverConfig, DriverReporter, ItemSource, RunOutcome };
export { ResumeMismatchError, resumeSkip } from "./resume_skip.ts";

/** A peer that has not registered this long after its handshake is dropped. */
const REGISTER_WITHIN_MS = 30_000;
/** How long the auto-launched context gets to end once the run is over. */
const CONTEXT_END_MS = 5_000;

/** The clock of the run, in seconds. */
const now = (): number => Date.now() / 1000;

/** One run of the driver. */
export class Driver {
  readonly #cfg: DriverConfig;
  readonly #source: ItemSource;
  readonly #status: StatusFile;
  readonly #log: Logger;
  readonly #report: DriverReporter;
  readonly #core: RunCore<Connection>;
  readonly #clients = new ClientRouter<Connection>();
  readonly #requests: ClientRequestContext;
  readonly #secret = newSecret();
  readonly #host = Deno.hostname();
  #runInfo: RunInfo | null = null;
  #scriptPath = "";
  #contextRun: Promise<number> | null = null;
  #killTimer: Timer | undefined;
  readonly #wall: WallWatch | null;
  #flushTimer: Timer | undefined;
  /** Items are being handed to the core ({@link #deliver}); a pull meanwhile is noted here. */
  #delivering = false;
  #pullAgain = false;
  readonly #done = Promise.withResolvers<void>();

  constructor(
    cfg: DriverConfig,
    source: ItemSource,
    status: StatusFile,
    log: Logger,
    resume: ResumeIndex | null,
    report: DriverReporter,
  ) {
    this.#cfg = cfg;
    this.#source = source;
    this.#status = status;
    this.#log = log;
    this.#report = report;
    const host = this.#host;
    const onDriverHost = (h: string) => shortHostName(h) === shortHostName(host);
    this.#core = new RunCore(cfg, resume, this.#ports(), { host, pid: Deno.pid, onDriverHost });
    this.#wall = cfg.wall && new WallWatch(cfg.wall.settings, {
      now,
      readEnd: cfg.wall.readEnd,
      drain: () => {
        this.#guarded(() => this.#core.wallDrain());
        cfg.wall?.onDrain?.();
      },
      stop: () => this.#guarded(() => this.#core.wallStop()),
      log: {
        info: (m) => log.info(m),
        warn: (m) => {
          log.warn(`--drain-before: ${m}`);
          report.warn(`disbatch: warning: --drain-before: ${m}`);
        },
      },
    });
    // Never inside a call of the core (deliver flushes): after it.
    status.onWriteError((e) =>
      queueMicrotask(() => this.#guarded(() => this.#core.statusWriteFailed(e)))
    );
    this.#requests = {
      core: this.#core,
      clients: this.#clients,
      source,
      log,
      snapshot: () => this.snapshot(),
    };
  }

  /** Path of the helper script of this run. */
  get scriptPath(): string {
    return this.#scriptPath;
  }

  /** Runs to the end and says how it ended. */
  async run(): Promise<RunOutcome> {
    const bind = this.#cfg.bind ?? { hostname: "0.0.0.0", port: 0 };
    const listener = new Listener({
      hostname: bind.hostname,
      port: bind.port,
      secret: this.#secret,
      onPeer: (role, conn) => this.#guarded(() => this.#onPeer(role, conn)),
      onReject: (peer, err) => this.#log.warn(`dropped connection from ${peer}: ${err.message}`),
      onAcceptError: (err, ms) =>
        this.#log.warn(`cannot accept connections (${err.message}); retrying in ${ms} ms`),
    });
    const onSignal = STOP_SIGNALS.map((sig) => [sig, () => this.#onSignal(sig)] as const);
    const timers: Timer[] = [];
    // One clean-up for every way out: the listener must not outlive a failed start either.
    try {
      this.#writeHelper(advertisedAddresses(bind.hostname, listener.addr.port));
      for (const [sig, f] of onSignal) Deno.addSignalListener(sig, f);
      // Cheap timers (src/time/timer.ts) throughout: the listener keeps the process alive.
      timers.push(every(this.#cfg.heartbeat.intervalMs, () => this.#guarded(() => this.#beat())));
      timers.push(every(500, () => this.#guarded(() => this.#tick())));
      await this.#wall?.start();
      this.#guarded(() => this.#core.pump());
      await this.#done.promise;
      this.#status.flush();
      await this.#shutdown(listener);
      // Tells `disbatch --wait` / `--state` how the run ended once the driver is gone.
      const end = renderRunEnd(this.#cfg.exitCodeOf(this.#core.outcome()), this.snapshot());
      const why = appendRunEnd(this.#scriptPath, end);
      if (why) this.#log.warn(`${why}; --wait cannot tell the exit code`);
    } finally {
      for (const [sig, f] of onSignal) Deno.removeSignalListener(sig, f);
      for (const t of timers) t.cancel();
      this.#killTimer?.cancel();
      this.#flushTimer?.cancel();
      await listener.close();
    }
    return this.#core.outcome();
  }

  /**
   * A connection for an engine inside this process (a plain local run): the peer's end of a
   * memory pair whose other end the driver treats as it treats an engine's TCP connection.
   */
  engineConnection(): Connection {
    const [mine, theirs] = memoryPair();
    this.#guarded(() => this.#onPeer("engine", mine));
    return theirs;
  }

  /** Writes `P_dbUtil.sh` (throws RunFileError) and tells where it is. */
  #writeHelper(addresses: string[]): void {
    const [address] = addresses;
    const { prefix, defaults, heartbeat, nameTasks } = this.#cfg;
    const jobId = basename(prefix);
    this.#runInfo = { jobId, nameTasks, prefix, cwd: Deno.cwd(), address, defaults, heartbeat };
    const path = writeHelperScript(prefix, addresses, this.#host, this.#secret);
    this.#scriptPath = path;
    this.#log.info(`listening on ${addresses.join(" ")}; helper ${path}`);
    if (this.#source instanceof SubmissionSource) {
      this.#report.say("Task server ready; submit tasks with this run's helper script:");
      this.#report.say(`   ${path}`);
    }
  }

  /** How the core's requests become messages, writes and timers. */
  #ports(): CorePorts<Connection> {
    // Only messages of the driver's directions can be sent (src/protocol/*_messages.ts).
    const send = (p: { conn: Connection }, m: DriverToEngine | DriverToContext) => p.conn.send(m);
    return {
      now,
      log: this.#log,
      report: this.#report,
      // A failure comes later, through statusWriteFailed (see the constructor).
      write: (r) => (this.#status.queue(r), null),
      writeSkipLine: (line) => {
        this.#flushSoon();
        return this.#status.skipLine(line);
      },
      flush: () => this.#status.flush(),
      pull: () => this.#pull(),
      keepCommand: (command) => this.#source.keep?.(command) ?? command,
      launchContext: () => this.#launchContext(),
      scriptPath: () => this.#scriptPath,
      // `timeout` is the item's own or else the run's: the same as taskMessage's choice.
      task: (p, item, timeout) => send(p, taskMessage(item, timeout, this.#cfg.capture)),
      drain: (p) => send(p, { t: "drain" }),
      kill: (p) => send(p, { t: "kill" }),
      perEngine: (p, item) => send(p, perEngineMessage(item)),
      perEngineEnd: (p) => send(p, { t: "pe_end" }),
      engineLost: (c, node, pid) => send(c, { t: "engine_lost", node, pid }),
      deliver: (taskId, r) => {
        const client = this.#clients.take(taskId);
        if (!client) return;
        // A submitter told of a result finds its line in the status file.
        const error = this.#status.flush();
        if (error) queueMicrotask(() => this.#guarded(() => this.#core.statusWriteFailed(error)));
        client.send({ t: "result", result: resultView(r()) });
      },
      // Engines that do not answer in time are abandoned; their tasks die with them.
      armAbandon: () => {
        this.#killTimer ??= after(ABANDON_AFTER_MS, () => this.#guarded(() => this.#core.end()));
      },
      ended: () => this.#done.resolve(),
    };
  }

  /** Runs an event handler: its exception is a bug in the driver, which stops the run. */
  #guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.#log.error(`internal error (a bug in disbatch): ${error.stack ?? error.message}`);
      try {
        this.#core.internalError(error);
      } catch {
        // the abandon deadline ends the run
      }
    }
  }

  #pull(): void {
    if (this.#delivering) {
      this.#pullAgain = true;
      return;
    }
    this.#source.next().then(
      (item) => this.#deliver(item),
      (error: Error) => this.#guarded(() => this.#core.sourceFailed(error)),
    );
  }

  /**
   * Hands `item` to the core and then, while it asks for the next one, those already read
   * (takeNow), one after another without a promise turn each: a million skipped tasks of a
   * resume each took one. The core is never re-entered: a pull it makes is noted, not run.
   */
  #deliver(first: TaskItem | null): void {
    let item: TaskItem | null | undefined = first;
    this.#delivering = true;
    try {
      for (; item !== undefined; item = this.#source.takeNow?.()) {
        this.#pullAgain = false;
        const it = item;
        this.#guarded(() => this.#core.itemRead(it));
        if (!this.#pullAgain) return;
      }
    } finally {
      this.#delivering = false;
    }
    this.#pull();
  }

  /**
   * Writes the held status lines once the work at hand is done: the items read from one chunk
   * of the task file follow each other without a turn of the event loop, so the S lines of a
   * resume go out one chunk at a time.
   */
  #flushSoon(): void {
    this.#flushTimer ??= after(0, () => {
      this.#flushTimer = undefined;
      const error = this.#status.flush();
      if (error) this.#guarded(() => this.#core.statusWriteFailed(error));
    });
  }

  #launchContext(): void {
    const args = this.#cfg.contextArgs.join(" ");
    this.#log.info(`launching context in this process: ${this.#scriptPath} ${args}`);
    this.#contextRun = this.#cfg.runContext();
    this.#contextRun.then((code) => this.#guarded(() => this.#core.contextExited(code)));
  }

  /** Pings every engine; one silent for longer than the timeout is dropped (and its tasks reissued). */
  #beat(): void {
    const { lost, ping } = this.#core.heartbeat();
    for (const { peer } of lost) peer.conn.close();
    for (const p of ping) p.conn.send({ t: "ping" });
  }

  #tick(): void {
    this.#wall?.tick();
    // A status file deleted during the run is re-created with every line so far.
    const restored = this.#status.restoreIfDeleted();
    if (restored) {
      this.#log.warn(restored);
      this.#report.warn(`disbatch: warning: ${restored}`);
    }
    if (!this.#core.tick(this.#clients.watchers.size > 0)) return;
    const state = this.snapshot();
    for (const w of this.#clients.watchers) w.send({ t: "state", state });
  }

  /** The run as monitors see it. */
  snapshot(): RunState {
    return this.#core.snapshot({ prefix: this.#cfg.prefix, jobId: this.#runInfo?.jobId ?? "" });
  }

  /**
   * Every message is decoded for its direction (a Channel): one that does not decode ends its
   * connection with `bye` and the reason, and is logged; handlers get typed messages only.
   */
  #onPeer(role: Role, conn: Connection): void {
    if (role === "monitor" || role === "client") {
      this.#clients.add(conn);
      new Channel(conn, DRIVER_CLIENT_SIDE).attach({
        message: (m) => this.#guarded(() => answerClient(this.#requests, conn, m)),
        closed: (e) => {
          if (e) this.#log.warn(`${conn.peer} (${role}): ${e.message}`);
          this.#clients.drop(conn);
        },
        unknown: (e) => conn.send({ t: "error", message: `unknown request ${e.messageType}` }),
      });
      return;
    }
    const common = {
      warn: (line: string) => this.#log.warn(`${conn.peer} (${role}): ${line}`),
      guard: (fn: () => void) => this.#guarded(fn),
    };
    if (role === "engine") {
      attachRegistered(conn, DRIVER_ENGINE_SIDE, REGISTER_WITHIN_MS, {
        ...common,
        register: (m) => m.t === "eng_register" && this.#addEngine(conn, m),
        message: (peer, m) => this.#onEngineMessage(peer, m),
        // The socket failed or closed: the engine is lost (a handler's exception is not that).
        closed: (peer) => this.#core.engineClosed(peer),
      });
    } else {
      attachRegistered(conn, DRIVER_CONTEXT_SIDE, REGISTER_WITHIN_MS, {
        ...common,
        register: (m) => m.t === "ctx_register" && this.#addContext(conn, m),
        message: (rank, m) => this.#onContextMessage(rank, conn, m),
        closed: (rank) => this.#core.contextClosed(rank),
      });
    }
  }

  /** Registers a context; its rank, or null when the run refuses it. */
  #addContext(conn: Connection, m: Extract<ContextToDriver, { t: "ctx_register" }>): number | null {
    const peer = this.#core.addContext(conn, {
      label: m.label || undefined,
      sysid: m.sysid,
      host: m.host,
      nodes: m.nodes,
    }, m.taskLimit ?? 0);
    if (!peer) {
      this.#refuse(conn);
      return null;
    }
    this.#log.info(`context ${peer.rank} (${peer.label}) registered from ${conn.peer}`);
    conn.send({ t: "ctx_accept", rank: peer.rank, run: this.#runInfo! });
    return peer.rank;
  }

  /** A peer joining a run that is over (or stopping, for an engine) is told so. */
  #refuse(conn: Connection): void {
    conn.send({ t: "run_done" });
    void conn.bye();
  }

  #onContextMessage(rank: number, conn: Connection, m: ContextToDriver): void {
    if (m.t === "engine_exit") {
      this.#log.info(`context ${rank}: engine on ${m.node} exited with ${m.code}`);
    } else if (m.t === "bye") conn.close();
  }

  /** Registers an engine; its peer, or null when the run refuses it. */
  #addEngine(
    conn: Connection,
    m: Extract<EngineToDriver, { t: "eng_register" }>,
  ): EnginePeer<Connection> | null {
    const { contextRank, node, host, pid, cylinders } = m;
    const capacity = capacityOf(m);
    const peer = this.#core.addEngine(conn, { contextRank, node, host, pid, cylinders, capacity });
    if (!peer) {
      this.#refuse(conn);
      return null;
    }
    conn.send({ t: "eng_accept", rank: peer.rank, run: this.#runInfo! });
    this.#core.engineJoined(peer);
    return peer;
  }

  #onEngineMessage(peer: EnginePeer<Connection>, m: EngineToDriver): void {
    const core = this.#core;
    core.heard(peer.rank, m.t !== "pong");
    switch (m.t) {
      case "ready":
        return core.engineReady(peer.rank);
      case "result":
        return core.result(peer, m);
      case "returned":
        return core.tasksReturned(peer.rank, m.ids);
      case "stopped":
        this.#log.info(`engine ${peer.rank} stopped`);
        return core.engineStopped(peer.rank);
      case "bye":
        peer.conn.close();
        return core.engineStopped(peer.rank);
      case "pong":
        return;
      case "eng_register":
        this.#log.warn(`engine ${peer.rank}: registered twice; ignored`);
    }
  }

  #onSignal(sig: StopSignal): void {
    this.#log.warn(`received ${sig}`);
    this.#guarded(() => this.#core.signal(sig));
  }

  async #shutdown(listener: Listener): Promise<void> {
    const code = this.#cfg.exitCodeOf(this.#core.outcome());
    const final = this.snapshot();
    const observers = [...this.#clients.observers];
    for (const o of observers) {
      o.send({ t: "state", state: final });
      o.send({ t: "end", exitCode: code });
    }
    await Promise.all(observers.map((o) => o.bye()));
    const { contexts, engines } = this.#core.peers;
    for (const c of contexts.values()) c.conn.send({ t: "bye" });
    for (const p of engines.values()) p.conn.send({ t: "kill" });
    // Its engines have been told to stop; one that hangs ends by itself once this process and
    // its connections are gone (engines end their tasks when the driver goes away).
    const ctx = this.#contextRun;
    if (ctx && !(await exitedWithin(ctx, CONTEXT_END_MS))) {
      this.#log.warn("the context did not end");
    }
    await Promise.all([...contexts.values()].map((c) => c.conn.bye()));
    for (const p of engines.values()) p.conn.close();
    await listener.close();
    const pending: Promise<void>[] = [];
    for (const c of contexts.values()) pending.push(c.conn.done);
    for (const p of engines.values()) pending.push(p.conn.done);
    await Promise.all(pending);
  }
}
