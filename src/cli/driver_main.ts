/**
 * The driver command (`disbatch [options] TASKFILE`): validates everything that can be
 * validated before a task runs, then runs the driver and turns its outcome into messages and
 * an exit code.
 * @module
 */
import { Driver, type DriverConfig, mismatchMessage, resumeMatches } from "../driver/driver.ts";
import { PrefixError, resolvePrefix, taskSourceName } from "../driver/run_prefix.ts";
import { StatusFile } from "../driver/status_file.ts";
import { Logger, type LogLevel } from "../log/logger.ts";
import { heartbeatSettings } from "../protocol/heartbeat.ts";
import { ResumeIndex } from "../status/resume_index.ts";
import { parseStatusLine } from "../status/status_line.ts";
import { LineTooLongError } from "../taskfile/line_reader.ts";
import { TaskFileError } from "../taskfile/task_parser.ts";
import { checkTaskFile, TaskSource } from "../taskfile/task_source.ts";
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  EXIT_TASKFILE,
  EXIT_USAGE,
  VERSION,
} from "./exit_codes.ts";
import {
  cannotOpenMessage,
  type DriverOptions,
  parseDriverArgs,
  UsageError,
  usageErrorOutput,
  usageLine,
} from "./parse_args.ts";

const encoder = new TextEncoder();

/** Writes text to stdout as it is (help texts end with their own newline). */
function writeOut(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

function err(line: string): void {
  console.error(line);
}

function usageError(message: string, code = EXIT_USAGE): number {
  err(usageLine());
  err(`disbatch: error: ${message}`);
  return code;
}

/** Python's float repr for the values `-c` can take (`-1.0`, `2.0`, `0.5`). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** The auto-launched context's arguments, in the original's order (spec §8.1). */
export function contextArgs(o: DriverOptions): string[] {
  const a = [
    "--context-task-limit",
    String(o.contextTaskLimit),
    "--cpusPerTask",
    pyFloat(o.cpusPerTask),
  ];
  for (const e of o.envResource) a.push("--env-resource", e);
  if (o.fill) a.push("--fill");
  if (o.gpu) a.push("--gpu");
  if (o.retireCmd) a.push("--retire-cmd", o.retireCmd);
  if (o.label) a.push("--label", o.label);
  for (const s of o.sshNode) a.push("--ssh-node", s);
  a.push("--tasksPerNode", String(o.tasksPerNode));
  return a;
}

/** Reads `-r` files; throws with a one-line reason. */
async function readResume(paths: string[]): Promise<ResumeIndex> {
  const index = new ResumeIndex();
  for (const p of paths) {
    let text: string;
    try {
      text = await Deno.readTextFile(p);
    } catch (e) {
      throw new Error(`Cannot read status file ${p}: ${(e as Error).message}`, { cause: e });
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const r = parseStatusLine(line);
      if (r) index.add(r);
    }
  }
  return index;
}

/**
 * Normal tasks left unread in a regular task file (already checked, so it parses), without
 * those a resume would skip. Not for pipes: their rest may never come.
 */
async function unreadTasks(
  source: TaskSource,
  resume: ResumeIndex | null,
  retry: boolean,
): Promise<number> {
  let n = 0;
  try {
    for (let item = await source.next(); item; item = await source.next()) {
      const r = item.kind === "N" ? resume?.get(item.taskId) : undefined;
      if (item.kind === "N" && (!r || (retry && r.rc !== 0))) n++;
    }
  } catch {
    // an I/O error: report what was counted
  }
  return n;
}

const NOT_YET: [keyof DriverOptions, string][] = [
  ["web", "-w/--web"],
  ["mailTo", "--mailTo"],
  ["taskcommand", "--taskcommand"],
  ["taskserver", "--taskserver"],
  ["kvsserver", "--kvsserver"],
  ["sbatch", "--sbatch"],
];

/** Entry of the driver role. */
export async function driverMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseDriverArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const out = usageErrorOutput(e);
    if (out.stdout) writeOut(out.stdout);
    if (out.stderr) Deno.stderr.writeSync(encoder.encode(out.stderr));
    return out.exitCode;
  }
  if ("help" in parsed) {
    writeOut(parsed.help);
    return EXIT_OK;
  }
  if (!("taskfile" in parsed)) {
    console.log(VERSION);
    return EXIT_OK;
  }
  const o: DriverOptions = parsed;
  for (const [key, name] of NOT_YET) {
    const v = o[key];
    const given = key === "kvsserver" ? v !== true : v !== null && v !== undefined && v !== false;
    if (given) {
      return usageError(`${name} is not supported yet`);
    }
  }
  const taskfile = o.taskfile!;

  // Everything that can be wrong with the input is found before anything is created or run.
  let resume: ResumeIndex | null = null;
  try {
    if (o.resumeFrom.length > 0) resume = await readResume(o.resumeFrom);
  } catch (e) {
    err(`disbatch: error: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  let stream: ReadableStream<Uint8Array>;
  let isRegular = false;
  if (taskfile === "-") stream = Deno.stdin.readable;
  else {
    try {
      const f = await Deno.open(taskfile, { read: true });
      isRegular = (await f.stat()).isFile;
      if ((await f.stat()).isDirectory) {
        f.close();
        throw Object.assign(new Error("Is a directory"), { name: "IsADirectory" });
      }
      stream = f.readable;
    } catch (e) {
      return usageError(cannotOpenMessage(taskfile, e));
    }
  }
  const parserOpts = {
    file: taskfile === "-" ? "<stdin>" : taskfile,
    lenient: o.lenientDirectives,
  };
  if (isRegular) {
    try {
      if (resume) {
        const check = new TaskSource((await Deno.open(taskfile)).readable, parserOpts);
        for (let item = await check.next(); item; item = await check.next()) {
          if (item.kind !== "N") continue;
          const r = resume.get(item.taskId);
          if (r && !(o.retry && r.rc !== 0) && !o.forceResume && !resumeMatches(r, item)) {
            await check.close();
            err(`disbatch: ${mismatchMessage(r, item)}`);
            await stream.cancel();
            return EXIT_FAILED;
          }
        }
      } else await checkTaskFile(taskfile, parserOpts);
    } catch (e) {
      await stream.cancel();
      if (e instanceof TaskFileError || e instanceof LineTooLongError) {
        err(`disbatch: error: ${e.message}`);
        return EXIT_TASKFILE;
      }
      throw e;
    }
  }

  let prefix: string;
  try {
    prefix = resolvePrefix(o.prefix, taskSourceName(taskfile));
  } catch (e) {
    await stream.cancel();
    if (e instanceof PrefixError) {
      err(e.message);
      return EXIT_FAILED;
    }
    throw e;
  }

  const log = new Logger(o.logfile ?? `${prefix}_driver.log`, "driver", o.loglevel as LogLevel);
  const status = new StatusFile(`${prefix}_status.txt`, o.statusHeader);
  const cfg: DriverConfig = {
    prefix,
    nameTasks: taskSourceName(taskfile),
    statusHeader: o.statusHeader,
    failFast: o.failFast,
    startupOnly: o.startupOnly,
    retry: o.retry,
    forceResume: o.forceResume,
    noReissue: o.noReissue,
    bind: o.useAddress ? { hostname: o.useAddress.host, port: o.useAddress.port } : null,
    contextArgs: contextArgs(o),
    contextTaskLimit: o.contextTaskLimit,
    defaults: {
      cpusPerTask: o.cpusPerTask,
      tasksPerNode: o.tasksPerNode,
      envResource: o.envResource,
    },
    heartbeat: heartbeatSettings(Deno.env.get("DISBATCH_HEARTBEAT")),
    retries: o.retries,
    timeout: o.timeout,
  };
  Deno.env.set("DISBATCH_LOGLEVEL", o.loglevel);
  const source = new TaskSource(stream, {
    ...parserOpts,
    onWarning: (w: { message: string }) => log.warn(w.message),
  });
  const driver = new Driver(cfg, source, status, log, resume, {
    warn: err,
    say: (line) => console.log(line),
  });
  let outcome;
  try {
    outcome = await driver.run();
  } finally {
    status.close();
  }
  // The driver reads lazily, so tasks it never read are not in its count.
  const unread = outcome.stoppedBy === "starved" && isRegular
    ? await unreadTasks(source, resume, o.retry)
    : 0;
  log.info(`run ended: ${JSON.stringify({ ...outcome, error: outcome.error?.message })}`);
  log.close();
  await stream.cancel().catch(() => {});

  const failedMsg = () => {
    if (o.exitCode && outcome.failures > 0) {
      err("Some tasks failed with non-zero exit codes -- please check the logs");
    }
  };
  switch (outcome.stoppedBy) {
    case "signal":
      return outcome.signal === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
    case "source_error":
    case "mismatch": {
      const e = outcome.error!;
      err(`disbatch: error: ${e.message}`);
      return e instanceof TaskFileError || e instanceof LineTooLongError
        ? EXIT_TASKFILE
        : EXIT_FAILED;
    }
    case "fail_fast":
    case "check":
      failedMsg();
      return EXIT_FAILED;
    case "context_failed":
      err("Some engine processes failed -- please check the logs");
      return outcome.contextCode ?? EXIT_FAILED;
    case "starved":
      err(
        `disbatch: every execution context has ended but ${isRegular ? "" : "at least "}${
          outcome.unrun + unread
        } task(s) did not run;` +
          ` add resources with ${driver.scriptPath} or resume with -r ${prefix}_status.txt`,
      );
      return EXIT_FAILED;
  }
  if (o.exitCode && outcome.failures > 0) {
    failedMsg();
    return EXIT_FAILED;
  }
  return EXIT_OK;
}
