/**
 * A context owns a set of machines (SSH hosts, or the nodes of a Slurm allocation) and starts
 * one engine per node: directly on its own host, with `ssh`, or as an `srun` step. It watches
 * the engines, retires the node of each engine that ended, and exits once all of them have.
 * @module
 */
import { connectToDriver, orderAddresses, shortHostName } from "../net/connect.ts";
import { Channel, type ChannelOf } from "../net/channel.ts";
import { Logger, type LogLevel } from "../log/logger.ts";
import { errorMessage } from "../log/error_message.ts";
import { parseDbUtil } from "../protocol/db_util_script.ts";
import type { RunInfo } from "../protocol/messages.ts";
import { CONTEXT_SIDE } from "../protocol/context_messages.ts";
import { type ChildHandle, runCapture, spawnChild } from "../proc/spawn_child.ts";
import { signalNumber } from "../proc/signal_number.ts";
import { TERM_GRACE_MS } from "../proc/kill_group.ts";
import { killTagged } from "../proc/kill_tagged.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { after, type Timer } from "../time/timer.ts";
import { parseNodeList, sshSlots } from "./node_slots.ts";
import { hostSource } from "./host_source.ts";
import { engineCommand, type Launcher, sshExtraOptions } from "./engine_launch.ts";
import { failureReason } from "./failure_reason.ts";
import { type RetireBatch, retireEnv, RetireThrottle } from "./retire_throttle.ts";
import { readSlurmAllocation, type SlurmAllocation } from "./slurm_allocation.ts";
import { slurmSlots } from "./slurm_slots.ts";
import { srunEnvironment } from "./srun_env.ts";
import { runFiles } from "../protocol/run_files.ts";

/** The context could not start (no environment, bad node list, no viable engine). */
export class ContextError extends Error {
  override name = "ContextError";
}

/** Options of a context (spec §8.1); -1/empty mean "inherit from the run". */
export interface ContextConfig {
  dbUtil: string;
  contextTaskLimit: number;
  cpusPerTask: number;
  tasksPerNode: number;
  envResource: string[];
  fill: boolean;
  /** null: the environment's default; "": never retire. */
  retireCmd: string | null;
  label: string | null;
  sshNode: string[];
  loglevel: LogLevel;
  /**
   * Set for the driver's own context: starts an engine inside the driver process, given the
   * argv an engine process would get (from `--engine` on) and its wrap log. Used when that
   * context's only node is this host.
   */
  engineInDriver?: (argv: string[], wrap: string) => ChildHandle;
}

/** Callbacks for what the person at the terminal must see. */
export interface ContextReporter {
  warn(line: string): void;
}

/** Default retire command of a Slurm context (spec §9.4.4): shrink the job to what still runs. */
export const SLURM_RETIRE_CMD =
  'scontrol update JobId="$SLURM_JOBID" NodeList="${DRIVER_NODE:+$DRIVER_NODE,}$ACTIVE"';

/** A Slurm retirement batch runs once no engine has exited for this long. */
const SLURM_RETIRE_QUIET_MS = 10_000;
/** Once the driver is gone, engines (and their ssh/srun) get this long before being terminated. */
const ENGINE_GRACE_MS = 10_000;

type Target =
  | { sysid: "SSH"; nodes: { node: string; cores: number }[] }
  | { sysid: "Slurm"; alloc: SlurmAllocation };

/** One node with its slots and how its engine starts. */
interface NodePlan {
  node: string;
  cores: number;
  cylinders: number;
  coresPerCylinder: number;
  launcher: Launcher;
}

interface Plan {
  dbUtil: string;
  loglevel: LogLevel;
  rank: number;
  label: string;
  run: RunInfo;
  nodes: NodePlan[];
  cpusPerTask: number;
  envResource: string[];
  /** Exported to srun and the retire command. */
  env: Record<string, string>;
  retireCmd: string;
  retireQuietMs: number;
  /** Short host name for the DRIVER_NODE rule (Slurm), else null. */
  contextHost: string | null;
  /** Run the retire command in a private temporary directory (the default Slurm command). */
  retireInTemp: boolean;
  engineInDriver?: ContextConfig["engineInDriver"];
}

/** Slurm if SLURM_JOBID is set and -s is not given, else the SSH list (spec §2, §9.3.1). */
function chooseTarget(
  cfg: ContextConfig,
  env: (name: string) => string | undefined,
  host: string,
  warn: (line: string) => void,
): Target {
  const source = hostSource(cfg.sshNode, env);
  if (source.kind === "slurm") return { sysid: "Slurm", alloc: readSlurmAllocation(env) };
  return { sysid: "SSH", nodes: parseNodeList(source.list, host, warn) };
}

/** Runs one context to its end; resolves with its exit code. */
export async function runContext(cfg: ContextConfig, report: ContextReporter): Promise<number> {
  const creds = parseDbUtil(await Deno.readTextFile(cfg.dbUtil));
  const env = (name: string) => Deno.env.get(name);
  const host = Deno.hostname();
  const target = chooseTarget(cfg, env, host, (w) => report.warn(w));

  const conn = new Channel(
    await connectToDriver(
      orderAddresses(creds.addresses, creds.driverHost, host),
      creds.secret,
      "context",
    ),
    CONTEXT_SIDE,
  );
  // An empty -l counts as none, as in the original; the SSH default needs the rank.
  const slurmLabel = target.sysid === "Slurm" ? `J${target.alloc.jobId}` : "";
  conn.send({
    t: "ctx_register",
    label: cfg.label || slurmLabel,
    sysid: target.sysid,
    host,
    pid: Deno.pid,
    nodes: target.sysid === "SSH" ? target.nodes.map((n) => n.node) : target.alloc.nodes,
    taskLimit: cfg.contextTaskLimit,
  });
  const accept = await conn.next(30_000).catch(async (e) => {
    await conn.done;
    throw e;
  });
  if (!accept || accept.t !== "ctx_accept") {
    report.warn("Run done, context not registering.");
    conn.close();
    await conn.done;
    return 0;
  }
  const { rank, run } = accept;
  try {
    Deno.chdir(run.cwd);
  } catch {
    report.warn(`Failed to change working directory to "${run.cwd}".`);
  }
  const label = cfg.label || slurmLabel || `SSH${rank}`;
  const log = new Logger(runFiles.contextLog(run.prefix, label), `context ${label}`, cfg.loglevel);
  try {
    let plan: Plan;
    try {
      plan = await makePlan(cfg, target, { rank, run, label, host, env, log, report });
      // What P_dbUtil.sh exports, for everything this context starts (engines, srun, ssh, the
      // retire command): also when the context runs inside the driver, not through the script.
      plan.env = { ...plan.env, DISBATCH_KVSSTCP_HOST: creds.primary };
    } catch (e) {
      log.error(errorMessage(e));
      await conn.bye(errorMessage(e));
      throw e;
    }
    return await superviseEngines(conn, log, plan, report);
  } finally {
    log.close();
  }
}

/** Slots, launchers and retirement of the context's nodes. */
async function makePlan(
  cfg: ContextConfig,
  target: Target,
  c: {
    rank: number;
    run: RunInfo;
    label: string;
    host: string;
    env: (name: string) => string | undefined;
    log: Logger;
    report: ContextReporter;
  },
): Promise<Plan> {
  const cpusPerTask = cfg.cpusPerTask !== -1 ? cfg.cpusPerTask : c.run.defaults.cpusPerTask;
  const tasksPerNode = cfg.tasksPerNode !== -1 ? cfg.tasksPerNode : c.run.defaults.tasksPerNode;
  const base = {
    dbUtil: cfg.dbUtil,
    loglevel: cfg.loglevel,
    rank: c.rank,
    label: c.label,
    run: c.run,
    envResource: cfg.envResource.length > 0 ? cfg.envResource : c.run.defaults.envResource,
    engineInDriver: cfg.engineInDriver,
  };
  if (target.sysid === "SSH") {
    const ssh: Launcher = {
      kind: "ssh",
      extraOptions: sshExtraOptions(c.env("DISBATCH_SSH_OPTIONS")),
    };
    c.log.info(`SSH nodes: ${target.nodes.map((n) => `${n.node}:${n.cores}`).join(",")}`);
    return {
      ...base,
      nodes: target.nodes.map((n) => ({
        ...n,
        ...sshSlots(n.cores, cpusPerTask, tasksPerNode),
        launcher: shortHostName(n.node) === shortHostName(c.host) ? { kind: "local" } : ssh,
      })),
      cpusPerTask: cpusPerTask > 0 ? cpusPerTask : 1,
      env: {},
      retireCmd: cfg.retireCmd ?? "",
      retireQuietMs: 0,
      contextHost: null,
      retireInTemp: false,
    };
  }
  const slots = slurmSlots({
    ...target.alloc,
    cpusPerTask,
    tasksPerNode,
    fill: cfg.fill,
    env: c.env,
  });
  for (const w of slots.userWarnings) c.report.warn(`UserWarning: ${w}`);
  for (const l of slots.log) c.log.log(l.level, l.message);
  const optionsFile = c.env("DISBATCH_SLURM_SRUN_OPTIONS_FILE");
  let file: { path: string; text: string } | null = null;
  if (optionsFile) {
    c.log.info(`Taking srun options from "${optionsFile}".`);
    try {
      file = { path: optionsFile, text: await Deno.readTextFile(optionsFile) };
    } catch (e) {
      throw new ContextError(
        `cannot read DISBATCH_SLURM_SRUN_OPTIONS_FILE ${optionsFile}: ${errorMessage(e)}`,
        { cause: e },
      );
    }
  }
  const env = srunEnvironment(file, c.env);
  for (const [k, v] of Object.entries(env)) c.log.info(`srun environment: ${k}=${v}`);
  return {
    ...base,
    nodes: slots.nodes.map((n) => ({ ...n, launcher: { kind: "srun", stepCpus: n.stepCpus } })),
    cpusPerTask: slots.cpusPerTask,
    env,
    retireCmd: cfg.retireCmd ?? SLURM_RETIRE_CMD,
    retireQuietMs: SLURM_RETIRE_QUIET_MS,
    contextHost: shortHostName(c.host),
    // A successful `scontrol update` writes slurm_job_<id>_resize.{sh,csh} into its cwd: keep
    // them out of the user's directory.
    retireInTemp: cfg.retireCmd === null,
  };
}

async function superviseEngines(
  conn: ChannelOf<typeof CONTEXT_SIDE>,
  log: Logger,
  p: Plan,
  report: ContextReporter,
): Promise<number> {
  const viable = p.nodes.filter((n) => {
    if (n.cylinders < 1) log.warn(`node ${n.node} has no cylinders (${n.cores} cores); skipped`);
    return n.cylinders >= 1;
  });
  if (viable.length === 0) {
    log.error("No viable engines.");
    await conn.bye("no viable engines");
    throw new ContextError(
      `No viable engines: ${
        p.nodes.map((n) => `${n.node} has ${n.cores} cores`).join(", ")
      } for ${p.cpusPerTask} cores per task.`,
    );
  }
  const throttle = new RetireThrottle({
    nodes: viable.map((n) => n.node),
    quietMs: p.retireQuietMs,
    contextHost: p.contextHost,
    run: (b) => retire(p, log, b),
  });
  const children = new Map<string, ChildHandle>();
  let driverGone = false;
  let enginesDone = false;
  let graceTimer: Timer | undefined;
  const onDriverGone = () => {
    if (driverGone) return;
    driverGone = true;
    if (enginesDone) return;
    // A cheap timer (src/time/timer.ts): the engines being waited for keep the process alive.
    graceTimer = after(ENGINE_GRACE_MS, () => {
      for (const [node, child] of children) {
        log.warn(`engine on ${node} still running ${ENGINE_GRACE_MS} ms after the driver left`);
        void child.terminate(TERM_GRACE_MS);
      }
    });
  };
  const lost = new Set<string>();
  conn.attach({
    message: (m) => {
      if (m.t === "bye" || m.t === "run_done") conn.close();
      else if (m.t === "engine_lost") {
        // The driver heard nothing from it for too long: it may be hung, not dead, so end it
        // (and its ssh or srun); its exit is then handled like any other.
        const node = m.node;
        const child = children.get(node);
        log.warn(`the driver declared the engine on ${node} lost; terminating it`);
        if (child) {
          lost.add(node);
          void child.terminate(TERM_GRACE_MS);
        }
      }
    },
    closed: (error) => {
      if (error) log.error(`connection to the driver failed: ${error.message}`);
      onDriverGone();
    },
  });

  // A plain local run (this host is the only node): its engine runs inside the driver.
  const inDriver = viable.length === 1 && viable[0].launcher.kind === "local"
    ? p.engineInDriver
    : undefined;
  let succeeded = 0;
  await Promise.all(viable.map(async (n) => {
    const { code, reason } = await runEngine(p, log, n, children, inDriver);
    if (code === 0) succeeded++;
    else if (!driverGone && !lost.has(n.node)) {
      const line = `disbatch: engine on ${n.node} failed (exit ${code})${
        reason ? `: ${reason}` : ""
      }`;
      log.error(line);
      report.warn(line);
    }
    conn.send({ t: "engine_exit", node: n.node, code });
    throttle.exited(n.node, code);
  }));
  enginesDone = true;
  graceTimer?.cancel();
  await throttle.flush();
  // Every engine failed (ssh or srun could not start one, or it could not reach the driver):
  // exit non-zero so the driver, if this was its only context, ends with an error at once.
  const failed = succeeded === 0 && !driverGone;
  if (!driverGone) await conn.bye();
  conn.close();
  await conn.done;
  return failed ? 1 : 0;
}

/** Starts the engine of one node and waits for it; the reason is the wrap log's explanation. */
async function runEngine(
  p: Plan,
  log: Logger,
  n: NodePlan,
  children: Map<string, ChildHandle>,
  inDriver?: ContextConfig["engineInDriver"],
): Promise<{ code: number; reason: string }> {
  // Every task of the engine carries this tag, so they can be found if the engine dies.
  const tag = crypto.randomUUID();
  const engineArgs = [
    "--engine",
    "--node",
    n.node,
    "--context-rank",
    String(p.rank),
    "--cylinders",
    String(n.cylinders),
    "--cores-per-cylinder",
    String(n.coresPerCylinder),
    "--label",
    p.label,
    "--loglevel",
    p.loglevel,
    "--tag",
    tag,
    ...p.envResource.flatMap((v) => ["--env-resource", v]),
  ];
  const wrap = runFiles.engineWrap(p.run.prefix, p.label, n.node);
  let offset = 0;
  try {
    offset = Deno.statSync(wrap).size;
  } catch {
    // not there yet
  }
  const { cmd, args } = engineCommand(n.launcher, n.node, p.dbUtil, engineArgs);
  log.info(
    `starting engine on ${n.node} (${n.cylinders} cylinders): ${
      inDriver ? "in this process:" : cmd
    } ${args.join(" ")}`,
  );
  let child: ChildHandle;
  try {
    child = inDriver
      ? inDriver(engineArgs, wrap)
      : spawnChild({ cmd, args, env: p.env, stdin: "null", stdoutFile: wrap, stderr: "file" });
  } catch (e) {
    return { code: 127, reason: errorMessage(e) };
  }
  children.set(n.node, child);
  const s = await child.status;
  children.delete(n.node);
  const code = s.signal ? -signalNumber(s.signal) : s.code;
  log.info(`Engine ${n.node} exited: ${code}`);
  let reason = "";
  if (code !== 0) {
    try {
      const bytes = await Deno.readFile(wrap);
      reason = failureReason(new TextDecoder().decode(bytes.subarray(offset)));
    } catch {
      // the reason stays unknown
    }
  }
  if (code !== 0 && n.launcher.kind === "local") {
    // An engine killed abruptly could not end its tasks (they run in their own sessions).
    const orphans = await killTagged(tag, TERM_GRACE_MS);
    if (orphans > 0) log.warn(`ended ${orphans} processes left behind by the engine on ${n.node}`);
  } else if (code !== 0 && n.launcher.kind === "ssh") {
    await remoteCleanup(p, log, n, tag, wrap);
  }
  return { code, reason };
}

/**
 * The same for an engine reached over ssh: one more ssh to its host ends the tasks the engine
 * left there (`P_dbUtil.sh --cleanup --tag T`). A host that cannot be reached (its engine was
 * cut off) is given up after the ssh connect timeout; its engine ends its own tasks once the
 * driver has been silent for the heartbeat timeout.
 */
async function remoteCleanup(
  p: Plan,
  log: Logger,
  n: NodePlan,
  tag: string,
  wrap: string,
): Promise<void> {
  const { cmd, args } = engineCommand(n.launcher, n.node, p.dbUtil, ["--cleanup", "--tag", tag]);
  let child: ChildHandle;
  try {
    // Its output goes to the engine's wrap log: on the terminal, an unreachable host's ssh
    // error would repeat the line that already explained the engine's failure.
    child = spawnChild({ cmd, args, env: p.env, stdin: "null", stdoutFile: wrap, stderr: "file" });
  } catch (e) {
    log.warn(`cleanup on ${n.node} not started: ${errorMessage(e)}`);
    return;
  }
  const done = await exitedWithin(child.status, 15_000);
  if (!done) await child.terminate(1_000);
  log.info(`cleanup on ${n.node} after its engine died: ${done ? "done" : "gave up"}`);
}

/** Runs the retire command for one batch; its output goes to the context log. */
async function retire(p: Plan, log: Logger, b: RetireBatch): Promise<void> {
  const what = `${b.nodes.join(",")} (exit codes ${b.codes.join(",")})`;
  if (!p.retireCmd) {
    log.info(`retired ${what}; no retire command`);
    return;
  }
  if (p.retireInTemp && b.active.length === 0 && b.driverNode === null) {
    // `scontrol update NodeList=""` is refused; the job ends with the run anyway.
    log.info(`retired ${what}; the job keeps its last nodes until it ends`);
    return;
  }
  let cwd: string | undefined;
  try {
    if (p.retireInTemp) cwd = await Deno.makeTempDir({ prefix: "disbatch-retire-" });
    const env = { ...p.env, ...retireEnv(b) };
    log.info(`retiring ${what}: ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    const r = await runCapture("/bin/sh", ["-c", p.retireCmd], { env, cwd });
    for (const line of `${r.stdout}${r.stderr}`.split("\n")) if (line) log.info(`  ${line}`);
    if (r.code !== 0) log.warn(`retire command for ${b.nodes.join(",")} exited with ${r.code}`);
  } catch (e) {
    log.warn(`retire command for ${b.nodes.join(",")} failed: ${errorMessage(e)}`);
  } finally {
    if (cwd) await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}
