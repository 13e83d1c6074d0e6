/**
 * The engine: one per node. Connects to the driver, runs the per-engine START tasks, then
 * runs the tasks the driver assigns to its cylinders, then the STOP tasks. If the driver goes
 * away the engine kills its tasks and exits: nothing is left behind on a compute node.
 * @module
 */
import { TERM_GRACE_MS } from "../proc/kill_group.ts";
import { connectToDriver, orderAddresses } from "../net/connect.ts";
import { Channel, type ChannelOf } from "../net/channel.ts";
import type { Connection } from "../net/connection.ts";
import { Logger, type LogLevel } from "../log/logger.ts";
import { parseDbUtil } from "../protocol/db_util_script.ts";
import { fromWire, type RunInfo } from "../protocol/messages.ts";
import { type DriverToEngine, ENGINE_SIDE } from "../protocol/engine_messages.ts";
import type { HeartbeatSettings } from "../protocol/heartbeat.ts";
import { type RunningTask, startTask, type TaskRunResult } from "../proc/run_task.ts";
import { zeroPad6 } from "../status/number_format.ts";
import { ENGINE_TAG, killTagged } from "../proc/kill_tagged.ts";
import { after, every } from "../time/timer.ts";
import { runFiles } from "../protocol/run_files.ts";
import { type EngineCapacity, engineCapacity } from "./engine_capacity.ts";
import { type Held, ResourcePool } from "./resource_pool.ts";
import { sizedTaskEnv } from "./sized_task_env.ts";
import { CaptureWriter } from "../capture/capture_writer.ts";

/** Return code recorded for a task killed by its timeout (no exit status or signal is negative 124). */
export const TIMEOUT_RC = -124;

/** No variables beyond the cylinder's (the common case: nothing to copy). */
const NO_ENV: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Command-line facts of an engine (set by its context). */
export interface EngineArgs {
  dbUtil: string;
  node: string;
  contextRank: number;
  cylinders: number;
  coresPerCylinder: number;
  label: string;
  envResource: string[];
  loglevel: LogLevel;
  heartbeat: HeartbeatSettings;
  /** Set on every task's environment so the context can find them if this engine dies. */
  tag: string | null;
  /**
   * Inside the driver process: its end of a memory pair to the driver, instead of connecting
   * to the driver's addresses; the driver's signals are the driver's to handle (it tells this
   * engine to stop, as it tells every engine).
   */
  inDriver?: Connection;
}

/** Why an engine ended. */
export type EngineEnd = "done" | "run_done" | "killed" | "driver_lost" | "signal";

/** A task assigned to this engine and not started yet. */
interface QueuedTask {
  id: number;
  line: number;
  rep: number;
  /** Seconds; undefined for none. */
  timeout: number | undefined;
  /** Bytes of each stream to capture; undefined when not captured. */
  capture: number | undefined;
  command: Uint8Array;
  /** `#DISBATCH RESOURCES` of the task; undefined: one cylinder. */
  res: { cores: number; gpus: number; memMiB: number } | undefined;
}

interface PeTask {
  which: "START" | "STOP";
  index: number;
  line: number;
  command: Uint8Array;
}

/** Splits the `-E` variables into per-cylinder values (spec §6.3). */
export function resourceValues(
  names: string[],
  env: (name: string) => string | undefined,
  cylinders: number,
): { perCylinder: Record<string, string>[]; usable: number; warnings: string[] } {
  const warnings: string[] = [];
  let usable = cylinders;
  const lists: [string, string[]][] = [];
  for (const spec of names) {
    for (const name of spec.split(",").filter((n) => n.length > 0)) {
      const v = env(name);
      if (v === undefined) {
        warnings.push(`-E ${name}: not set in the environment; ignored`);
        continue;
      }
      const parts = v.split(",");
      if (parts.length < cylinders) {
        warnings.push(`-E ${name} has ${parts.length} values for ${cylinders} cylinders`);
        usable = Math.min(usable, parts.length);
      } else if (parts.length > cylinders) {
        warnings.push(`-E ${name} has more values (${parts.length}) than cylinders (${cylinders})`);
      }
      lists.push([name, parts]);
    }
  }
  const perCylinder: Record<string, string>[] = [];
  for (let c = 0; c < cylinders; c++) {
    const env: Record<string, string> = {};
    for (const [name, parts] of lists) env[name] = parts[c] ?? "";
    perCylinder.push(env);
  }
  return { perCylinder, usable, warnings };
}

/** One engine process. */
export class Engine {
  readonly #args: EngineArgs;
  #conn!: ChannelOf<typeof ENGINE_SIDE>;
  #run!: RunInfo;
  #rank = -1;
  #log = new Logger(null, "engine");
  /** Tasks started and not yet reported (a task's output may still be read after its exit). */
  readonly #running = new Set<RunningTask>();
  /** Cylinders whose task has not finished (exited and closed its output: see startTask). */
  readonly #busy = new Set<number>();
  /** Tasks assigned to this engine and not started yet (the driver's prefetch). */
  readonly #queue: QueuedTask[] = [];
  /** Tasks with RESOURCES not started yet (the driver sends them when they fit: they start at once). */
  readonly #sized: QueuedTask[] = [];
  #capacity!: EngineCapacity;
  #pool!: ResourcePool;
  readonly #startQueue: PeTask[] = [];
  readonly #stopList: PeTask[] = [];
  #peEnded = false;
  #startBusy = false;
  #readySent = false;
  #draining = false;
  #ending = false;
  /** Per-cylinder part of the task environment, built once (index: cylinder). */
  #cylBase: Record<string, string>[] = [];
  /** The same for START/STOP tasks (cylinder -1, with cylinder 0's `-E` values). */
  #peBase: Record<string, string> = {};
  #usable = 0;
  #lastHeard = Date.now();
  /** This engine's capture files, made at the first captured task. */
  #captureWriter: CaptureWriter | null = null;
  #finish!: (end: EngineEnd) => void;
  readonly #done: Promise<EngineEnd>;

  constructor(args: EngineArgs) {
    this.#args = args;
    this.#done = new Promise((r) => this.#finish = r);
  }

  /** Connects, works, and resolves with how it ended. */
  async run(): Promise<EngineEnd> {
    const res = resourceValues(
      this.#args.envResource,
      (n) => Deno.env.get(n),
      this.#args.cylinders,
    );
    this.#usable = res.usable;
    const a = this.#args;
    this.#capacity = engineCapacity(
      this.#usable,
      a.coresPerCylinder,
      a.envResource,
      (n) => Deno.env.get(n),
      await Deno.readTextFile("/proc/meminfo").catch(() => null),
    );
    this.#pool = new ResourcePool(this.#capacity.cores, this.#capacity.gpus);
    this.#conn = new Channel(this.#args.inDriver ?? await this.#connect(), ENGINE_SIDE);
    this.#conn.send({
      t: "eng_register",
      contextRank: this.#args.contextRank,
      node: this.#args.node,
      host: Deno.hostname(),
      pid: Deno.pid,
      cylinders: this.#usable,
      coresPerCylinder: this.#args.coresPerCylinder,
      gpus: this.#capacity.gpus.length,
      slotGpus: this.#capacity.slotGpus,
      memMiB: this.#capacity.memMiB,
    });
    const accept = await this.#conn.next(30_000).catch(async (e) => {
      await this.#conn.done;
      throw e;
    });
    if (!accept || accept.t !== "eng_accept") {
      this.#conn.close();
      await this.#conn.done;
      return "run_done";
    }
    this.#rank = accept.rank;
    this.#run = accept.run;
    this.#log = new Logger(
      runFiles.engineLog(this.#run.prefix, a.label, a.node, this.#rank),
      `engine ${this.#rank}`,
      a.loglevel,
    );
    for (const w of res.warnings) this.#log.warn(w);
    this.#cylBase = res.perCylinder.map((env, cyl) => this.#baseEnv(env, cyl));
    this.#peBase = this.#baseEnv(res.perCylinder[0], -1);
    try {
      Deno.chdir(this.#run.cwd);
    } catch {
      this.#log.error(`Failed to change working directory to "${this.#run.cwd}".`);
    }
    this.#log.info(`registered as engine ${this.#rank} with ${this.#usable} cylinders`);
    const onTerm = () => this.#end("signal");
    const signals = this.#args.inDriver ? [] : ["SIGTERM", "SIGINT"] as const;
    for (const sig of signals) Deno.addSignalListener(sig, onTerm);
    this.#conn.attach({
      message: (m) => {
        this.#lastHeard = Date.now();
        this.#onMessage(m);
      },
      closed: (error) => {
        if (error) this.#log.error(`connection to the driver failed: ${error.message}`);
        void this.#end("driver_lost");
      },
    });
    // A driver that stops answering (killed, node gone, network cut) must not leave tasks behind.
    // Its heartbeat settings win: ssh does not carry DISBATCH_HEARTBEAT to remote engines.
    const beat = this.#run.heartbeat;
    // A cheap timer (src/time/timer.ts): the driver connection keeps the process alive.
    const hb = every(beat.intervalMs, () => {
      if (Date.now() - this.#lastHeard > beat.timeoutMs) {
        this.#log.warn("the driver has been silent too long; ending");
        void this.#end("driver_lost");
      }
    });
    try {
      return await this.#done;
    } finally {
      hb.cancel();
      for (const sig of signals) Deno.removeSignalListener(sig, onTerm);
      this.#captureWriter?.close();
      this.#log.close();
    }
  }

  /** Ends the engine as SIGTERM ends an engine process: its tasks are terminated. */
  stop(): void {
    // Before its registration was answered, closing the connection ends it.
    if (this.#rank < 0) this.#args.inDriver?.close();
    else void this.#end("signal");
  }

  /** Reaches the driver at the addresses of the run's helper script. */
  async #connect(): Promise<Connection> {
    const creds = parseDbUtil(await Deno.readTextFile(this.#args.dbUtil));
    const addrs = orderAddresses(creds.addresses, creds.driverHost, Deno.hostname());
    return await connectToDriver(addrs, creds.secret, "engine");
  }

  #onMessage(m: DriverToEngine): void {
    switch (m.t) {
      case "pe": {
        const t: PeTask = { which: m.which, index: m.index, line: m.line, command: fromWire(m) };
        if (t.which === "START") {
          this.#startQueue.push(t);
          void this.#runStarts();
        } else this.#stopList.push(t);
        return;
      }
      case "pe_end":
        this.#peEnded = true;
        void this.#runStarts();
        return;
      case "task":
        (m.res ? this.#sized : this.#queue).push({
          id: m.id,
          line: m.line,
          rep: m.rep,
          timeout: m.timeout,
          capture: m.capture,
          command: fromWire(m),
          res: m.res,
        });
        this.#startQueued();
        return;
      case "drain":
        this.#draining = true;
        if (this.#queue.length + this.#sized.length > 0) {
          const ids = [...this.#sized, ...this.#queue].map((q) => q.id);
          this.#conn.send({ t: "returned", ids });
          this.#queue.length = 0;
          this.#sized.length = 0;
        }
        this.#maybeStop();
        return;
      case "kill":
        void this.#end("killed");
        return;
      case "run_done":
      case "bye":
        void this.#end("run_done");
        return;
      case "ping":
        this.#conn.send({ t: "pong" });
        return;
    }
  }

  /** The variables that are the same for every task of cylinder `cyl`. */
  #baseEnv(resources: Record<string, string> | undefined, cyl: number): Record<string, string> {
    const r = this.#run;
    return {
      ...resources,
      DISBATCH_JOBID: r.jobId,
      DISBATCH_NAMETASKS: r.nameTasks,
      // Set per task by #taskEnv; listed here so the variables keep their order in the environment.
      DISBATCH_TASKID: "",
      DISBATCH_TASKID_ZP: "",
      DISBATCH_STREAM_INDEX: "",
      DISBATCH_STREAM_INDEX_ZP: "",
      DISBATCH_REPEAT_INDEX: "",
      DISBATCH_REPEAT_INDEX_ZP: "",
      DISBATCH_ENGINE_RANK: String(this.#rank),
      DISBATCH_CYLINDER_RANK: String(cyl),
      DISBATCH_CORES_PER_TASK: String(this.#args.coresPerCylinder),
      DISBATCH_KVSSTCP_HOST: r.address,
      ...(this.#args.tag ? { [ENGINE_TAG]: this.#args.tag } : {}),
    };
  }

  /** The variables that change from task to task (applied over the cylinder's base set). */
  #taskEnv(id: number, line: number, rep: number): Record<string, string> {
    return {
      DISBATCH_TASKID: String(id),
      DISBATCH_TASKID_ZP: zeroPad6(id),
      DISBATCH_STREAM_INDEX: String(line),
      DISBATCH_STREAM_INDEX_ZP: zeroPad6(line),
      DISBATCH_REPEAT_INDEX: String(rep),
      DISBATCH_REPEAT_INDEX_ZP: zeroPad6(rep),
    };
  }

  /**
   * Starts queued tasks: those with RESOURCES first (the driver sent them because they fit),
   * then the others on free cylinders (lowest rank first), each on its cylinder's own cores and
   * GPUs when free, else on any (see resource_pool.ts).
   */
  #startQueued(): void {
    const cap = this.#capacity;
    while (this.#sized.length > 0 && !this.#ending) {
      const q = this.#sized[0];
      const held = this.#pool.take(q.res!.cores, q.res!.gpus);
      if (!held) break;
      this.#sized.shift();
      this.#launch(q, -1, this.#peBase, sizedTaskEnv(q.res!, held, cap.gpuVar), held);
    }
    for (let cyl = 0; cyl < this.#usable && this.#queue.length > 0 && !this.#ending; cyl++) {
      if (this.#busy.has(cyl)) continue;
      const own = this.#pool.takeBlock(
        cyl * cap.slotCores,
        cap.slotCores,
        cyl * cap.slotGpus,
        cap.slotGpus,
      );
      const held = own ?? this.#pool.take(cap.slotCores, cap.slotGpus);
      if (!held) break;
      const q = this.#queue.shift()!;
      this.#busy.add(cyl);
      // Off its own block (tasks with RESOURCES hold part of it) it sees the GPUs it holds.
      const gpuEnv = own || !cap.gpuVar || cap.slotGpus === 0
        ? NO_ENV
        : { [cap.gpuVar]: held.gpus.join(",") };
      this.#launch(q, cyl, this.#cylBase[cyl], gpuEnv, held);
    }
  }

  /** Starts one task on cylinder `cyl` (-1: a task with RESOURCES) holding `held`. */
  #launch(
    q: QueuedTask,
    cyl: number,
    baseEnv: Record<string, string>,
    extraEnv: Record<string, string>,
    held: Held,
  ): void {
    const capture = q.capture === undefined ? undefined : this.#capture().start(q.id, q.capture);
    const task = startTask({
      command: q.command,
      baseEnv,
      env: extraEnv === NO_ENV
        ? this.#taskEnv(q.id, q.line, q.rep)
        : { ...this.#taskEnv(q.id, q.line, q.rep), ...extraEnv },
      cwd: this.#run.cwd,
      // The cylinder's next task starts as soon as this one is finished (exited, output
      // closed), before its result is built and sent.
      onDone: () => {
        this.#pool.give(held);
        if (cyl >= 0) this.#busy.delete(cyl);
        this.#startQueued();
      },
      ...(capture ? { tee: capture } : {}),
    });
    this.#running.add(task);
    let timedOut = false;
    // A cheap timer (src/time/timer.ts): the running task keeps the process alive.
    const timer = q.timeout !== undefined
      ? after(q.timeout * 1000, () => {
        timedOut = true;
        this.#log.info(`task ${q.id} timed out after ${q.timeout} s`);
        void task.terminate(TERM_GRACE_MS);
      })
      : undefined;
    task.done.then((r) => {
      timer?.cancel();
      // Before the result: once the status file has the task, --output finds its end.
      capture?.end();
      this.#running.delete(task);
      this.#report("N", q.id, cyl, timedOut ? { ...r, rc: TIMEOUT_RC } : r);
      this.#maybeStop();
    });
  }

  #capture(): CaptureWriter {
    this.#captureWriter ??= new CaptureWriter(
      this.#run.prefix,
      this.#rank,
      (message) => this.#log.error(message),
    );
    return this.#captureWriter;
  }

  #report(kind: "N" | "START" | "STOP", id: number, cyl: number, r: TaskRunResult): void {
    this.#conn.send({ t: "result", kind, id, cyl, ...r });
  }

  async #runPe(t: PeTask): Promise<void> {
    const task = startTask({
      command: t.command,
      baseEnv: this.#peBase,
      env: this.#taskEnv(t.index, t.line, -1),
      cwd: this.#run.cwd,
    });
    this.#running.add(task);
    const r = await task.done;
    this.#running.delete(task);
    if (!this.#ending || this.#draining) this.#report(t.which, t.index, -1, r);
  }

  async #runStarts(): Promise<void> {
    if (this.#startBusy) return;
    this.#startBusy = true;
    while (this.#startQueue.length > 0 && !this.#ending) {
      await this.#runPe(this.#startQueue.shift()!);
    }
    this.#startBusy = false;
    if (this.#peEnded && !this.#readySent && !this.#ending) {
      this.#readySent = true;
      this.#conn.send({ t: "ready" });
    }
    this.#maybeStop();
  }

  #maybeStop(): void {
    if (
      !this.#draining || this.#ending || this.#startBusy || this.#running.size > 0 ||
      this.#queue.length > 0 || this.#sized.length > 0
    ) return;
    this.#ending = true;
    void (async () => {
      if (this.#readySent) { for (const t of this.#stopList) await this.#runPe(t); }
      await this.#endLeftovers();
      this.#conn.send({ t: "stopped" });
      await this.#conn.bye();
      this.#finish("done");
    })();
  }

  /**
   * Ends what this engine's tasks left running (background children, daemons in sessions of
   * their own): they carry its tag. One pass over `/proc` at the engine's end, never per task.
   */
  async #endLeftovers(): Promise<void> {
    if (!this.#args.tag) return;
    const n = await killTagged(this.#args.tag, TERM_GRACE_MS);
    if (n > 0) this.#log.warn(`ended ${n} processes its tasks left running`);
  }

  async #end(why: EngineEnd): Promise<void> {
    if (why !== "run_done" && this.#ending && this.#running.size === 0) return;
    const wasEnding = this.#ending;
    this.#ending = true;
    this.#queue.length = 0;
    this.#sized.length = 0;
    if (this.#running.size > 0) {
      this.#log.info(`${why}: terminating ${this.#running.size} running tasks`);
      const tasks = [...this.#running];
      await Promise.all(tasks.map((t) => t.terminate(TERM_GRACE_MS)));
      // Their results are reported by their own done handlers: let those run before `stopped`.
      await Promise.all(tasks.map((t) => t.done));
      await new Promise((r) => setTimeout(r, 0));
    }
    await this.#endLeftovers();
    if (why !== "driver_lost" && !this.#conn.isClosed) {
      if (!wasEnding) this.#conn.send({ t: "stopped" });
      await this.#conn.bye();
    }
    this.#conn.close();
    this.#finish(why);
  }
}
