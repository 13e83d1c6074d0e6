/**
 * A context owns a set of machines (SSH hosts, or later a Slurm allocation) and starts one
 * engine per node; it watches the engines, runs the retire command when one ends, and exits
 * once all of them have.
 * @module
 */
import { connectToDriver } from "../net/connect.ts";
import type { Connection } from "../net/connection.ts";
import { Logger, type LogLevel } from "../log/logger.ts";
import { parseDbUtil, shellQuote } from "../protocol/db_util_script.ts";
import type { RunInfo } from "../protocol/messages.ts";
import { type ChildHandle, spawnChild } from "../proc/spawn_child.ts";
import { signalNumber } from "../proc/signal_number.ts";
import { orderAddresses } from "../engine/engine.ts";
import { type NodeSlots, parseNodeList, sshSlots } from "./node_slots.ts";

/** The context could not start (no environment, bad node list, no viable engine). */
export class ContextError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ContextError";
  }
}

/** Options of a context (spec §8.1); -1/empty mean "inherit from the run". */
export interface ContextConfig {
  dbUtil: string;
  contextTaskLimit: number;
  cpusPerTask: number;
  tasksPerNode: number;
  envResource: string[];
  fill: boolean;
  retireCmd: string | null;
  label: string | null;
  sshNode: string[];
  loglevel: LogLevel;
}

/** Callbacks for what the person at the terminal must see. */
export interface ContextReporter {
  warn(line: string): void;
}

function shortName(h: string): string {
  return h.split(".")[0];
}

/** Runs one context to its end; resolves with its exit code. */
export async function runContext(cfg: ContextConfig, report: ContextReporter): Promise<number> {
  const creds = parseDbUtil(await Deno.readTextFile(cfg.dbUtil));
  const sshList = cfg.sshNode.length > 0
    ? cfg.sshNode.join(",")
    : Deno.env.get("SLURM_JOBID") === undefined
    ? Deno.env.get("DISBATCH_SSH_NODELIST")
    : undefined;
  if (sshList === undefined) {
    if (Deno.env.get("SLURM_JOBID") !== undefined) {
      throw new ContextError("Slurm contexts are not supported yet by this build; use -s HOST:N");
    }
    throw new ContextError("Cannot determine batch execution environment.");
  }
  const host = Deno.hostname();
  const parsed = parseNodeList(sshList, host, (w) => report.warn(w));

  const conn = await connectToDriver(
    orderAddresses(creds.addresses, creds.driverHost, host),
    creds.secret,
    "context",
  );
  conn.send({
    t: "ctx_register",
    label: cfg.label ?? "",
    sysid: "SSH",
    host,
    pid: Deno.pid,
    nodes: parsed.map((n) => n.node),
  });
  const accept = await conn.next(30_000);
  if (!accept || accept.t !== "ctx_accept") {
    report.warn("Run done, context not registering.");
    conn.close();
    await conn.done;
    return 0;
  }
  const rank = Number(accept.rank);
  const run = accept.run as RunInfo;
  try {
    Deno.chdir(run.cwd);
  } catch {
    report.warn(`Failed to change working directory to "${run.cwd}".`);
  }
  const label = cfg.label ?? `SSH${rank}`;
  const log = new Logger(`${run.prefix}_${label}.context.log`, `context ${label}`, cfg.loglevel);
  const cpusPerTask = cfg.cpusPerTask !== -1 ? cfg.cpusPerTask : run.defaults.cpusPerTask;
  const tasksPerNode = cfg.tasksPerNode > 0 ? cfg.tasksPerNode : run.defaults.tasksPerNode;
  const envResource = cfg.envResource.length > 0 ? cfg.envResource : run.defaults.envResource;
  const nodes: NodeSlots[] = parsed.map((n) => ({
    ...n,
    ...sshSlots(n.cores, cpusPerTask, tasksPerNode),
  }));
  try {
    return await superviseEngines(conn, log, {
      cfg,
      creds,
      run,
      rank,
      label,
      nodes,
      envResource,
      localHost: host,
    });
  } finally {
    log.close();
  }
}

interface Plan {
  cfg: ContextConfig;
  creds: { prefix: string };
  run: RunInfo;
  rank: number;
  label: string;
  nodes: NodeSlots[];
  envResource: string[];
  localHost: string;
}

async function superviseEngines(conn: Connection, log: Logger, p: Plan): Promise<number> {
  const viable = p.nodes.filter((n) => {
    if (n.cylinders < 1) log.warn(`node ${n.node} has no cylinders (${n.cores} cores); skipped`);
    return n.cylinders >= 1;
  });
  if (viable.length === 0) {
    log.error("No viable engines.");
    await conn.bye("no viable engines");
    throw new ContextError(
      `No viable engines: ${p.nodes.map((n) => `${n.node} has ${n.cores} cores`).join(", ")} for ${
        p.cfg.cpusPerTask > 0 ? p.cfg.cpusPerTask : 1
      } cores per task.`,
    );
  }
  const children = new Map<string, ChildHandle>();
  const exits: Promise<void>[] = [];
  const retired: string[] = [];
  const retirements: Promise<void>[] = [];
  let driverGone = false;
  conn.attach({
    message: (m) => {
      if (m.t === "bye" || m.t === "run_done") conn.close();
    },
    closed: () => {
      driverGone = true;
    },
  });
  for (const n of viable) {
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
      p.cfg.loglevel,
      ...p.envResource.flatMap((v) => ["--env-resource", v]),
    ];
    const wrap = `${p.run.prefix}_${p.label}_${n.node}_engine_wrap.log`;
    const local = shortName(n.node) === shortName(p.localHost);
    const [cmd, args] = local ? [p.cfg.dbUtil, engineArgs] : ["ssh", [
      "-o",
      "BatchMode=yes",
      n.node,
      [p.cfg.dbUtil, ...engineArgs].map(shellQuote).join(" "),
    ]];
    log.info(`starting engine on ${n.node}: ${cmd} ${args.join(" ")}`);
    const child = spawnChild({ cmd, args, stdin: "null", stdoutFile: wrap, stderr: "file" });
    children.set(n.node, child);
    exits.push(child.status.then((s) => {
      const code = s.signal ? -signalNumber(s.signal) : s.code;
      log.info(`Engine ${n.node} exited: ${code}`);
      children.delete(n.node);
      retired.push(n.node);
      conn.send({ t: "engine_exit", node: n.node, code });
      retirements.push(retire(p, log, n.node, code, [...children.keys()], retired));
    }));
  }
  await Promise.all(exits);
  await Promise.all(retirements);
  if (!driverGone) await conn.bye();
  conn.close();
  await conn.done;
  return 0;
}

function retire(
  p: Plan,
  log: Logger,
  node: string,
  code: number,
  active: string[],
  retired: string[],
): Promise<void> {
  const cmd = p.cfg.retireCmd;
  if (!cmd) return Promise.resolve();
  const child = spawnChild({
    cmd: "/bin/sh",
    args: ["-c", cmd],
    env: {
      NODES: node,
      RETCODES: String(code),
      ACTIVE: active.join(","),
      RETIRED: retired.join(","),
    },
    stdin: "null",
    stdoutFile: `${p.run.prefix}_${p.label}.context.log`,
    stderr: "file",
  });
  return child.status.then((s) => {
    if (s.code !== 0) log.warn(`retire command for ${node} exited with ${s.code}`);
  });
}
