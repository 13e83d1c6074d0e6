/**
 * The driver command (`disbatch [options] TASKFILE`): validates everything that can be
 * validated before a task runs, then runs the driver and turns its outcome into messages and
 * an exit code.
 * @module
 */
import { pyFloatRepr } from "../status/py_float_repr.ts";
import { Driver, type DriverConfig, ResumeMismatchError, resumeSkip } from "../driver/driver.ts";
import { PrefixError, resolvePrefix, taskSourceName } from "../driver/run_prefix.ts";
import { StatusFile } from "../driver/status_file.ts";
import { Logger } from "../log/logger.ts";
import { writeAllSync } from "../log/write_all_sync.ts";
import { commandOutput } from "../proc/command_output.ts";
import { TERM_GRACE_MS } from "../proc/kill_group.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { SubmissionSource } from "../driver/submission_source.ts";
import { exitCodeFor } from "./exit_code_for.ts";
import { heartbeatSettings } from "../protocol/heartbeat.ts";
import { ResumeIndex } from "../status/resume_index.ts";
import { TaskFileError } from "../taskfile/task_parser.ts";
import { checkTaskFile, TaskSource } from "../taskfile/task_source.ts";
import { lengthChecked } from "../taskfile/length_checked_stream.ts";
import {
  EXIT_FAILED,
  EXIT_INCOMPLETE,
  EXIT_OK,
  EXIT_RUN_FILE,
  EXIT_TASKFILE,
  EXIT_USAGE,
} from "./exit_codes.ts";
import { RunFileError } from "../log/run_file_error.ts";
import { errorMessage } from "../log/error_message.ts";
import { versionText } from "./version.ts";
import { runMode } from "../proc/run_mode.ts";
import {
  cannotOpenMessage,
  type DriverOptions,
  parseDriverArgs,
  UsageError,
} from "./parse_args.ts";
import { printUsageError } from "./print_usage_error.ts";
import { sbatchMain } from "./sbatch_main.ts";
import { DriverExtras, ExtrasConfigError } from "./driver_extras.ts";
import { hostSource, NoEnvironmentError } from "../context/host_source.ts";
import { NodeListError } from "../context/node_slots.ts";
import { endOfRunAdvice } from "./end_of_run_advice.ts";
import { runFiles } from "../protocol/run_files.ts";
import {
  chainLink,
  fileExists,
  resumeCommand,
  slurmJobId,
  slurmRunner,
  wallAdvice,
  wallConfig,
} from "./long_run.ts";
import { ChainLinker, chainProblem, jobSbatchWords } from "./chain.ts";
import { removeCaptureFiles } from "../capture/capture_writer.ts";

function err(line: string): void {
  console.error(line);
}

/** The auto-launched context's arguments, in the original's order (spec §8.1). */
export function contextArgs(o: DriverOptions): string[] {
  const a = [
    "--context-task-limit",
    String(o.contextTaskLimit),
    "--cpusPerTask",
    pyFloatRepr(o.cpusPerTask),
  ];
  for (const e of o.envResource) a.push("--env-resource", e);
  if (o.fill) a.push("--fill");
  if (o.gpu) a.push("--gpu");
  // `--no-retire` is `--retire-cmd ""`, passed on like any set value (the original skips only None).
  if (o.retireCmd !== null) a.push("--retire-cmd", o.retireCmd);
  if (o.label) a.push("--label", o.label);
  for (const s of o.sshNode) a.push("--ssh-node", s);
  a.push("--tasksPerNode", String(o.tasksPerNode));
  return a;
}

/**
 * Reads `-r` files; throws with a one-line reason. `notes` gets what the driver log should say
 * (it does not exist yet): the unterminated last lines that were ignored.
 */
async function readResume(paths: string[], notes: string[]): Promise<ResumeIndex> {
  const index = new ResumeIndex();
  for (const p of paths) {
    let torn: string | null;
    try {
      torn = await index.addFile(p);
    } catch (e) {
      index.close();
      throw new Error(`Cannot read status file ${p}: ${errorMessage(e)}`, { cause: e });
    }
    if (torn !== null) {
      notes.push(
        `-r ${p}: ignored its last line, which has no newline (a write cut short): ` +
          JSON.stringify(torn.length > 200 ? torn.slice(0, 200) + "…" : torn),
      );
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
      if (item.kind === "N" && !resume?.skippable(item.taskId, retry)) n++;
    }
  } catch {
    // an I/O error: report what was counted
  }
  return n;
}

/** The job's time limit as squeue prints it (`1:00:00`), or null. */
async function jobTimeLimit(jobId: string): Promise<string | null> {
  try {
    const r = await slurmRunner("squeue", ["-h", "-j", jobId, "-o", "%l"]);
    return r.code === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

/** Entry of the driver role. */
export async function driverMain(argv: string[]): Promise<number> {
  const input = { stdin: false };
  const code = await runDriver(argv, input);
  // A pending read of a stdin task pipe cannot be cancelled and would keep the process alive
  // until the writer ends it (e.g. after SIGTERM or fail-fast while the producer is idle).
  if (input.stdin) Deno.exit(code);
  return code;
}

async function runDriver(argv: string[], input: { stdin: boolean }): Promise<number> {
  let parsed;
  try {
    parsed = parseDriverArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return printUsageError(e);
  }
  if ("help" in parsed) {
    writeAllSync(Deno.stdout, parsed.help);
    return EXIT_OK;
  }
  if (!("taskfile" in parsed)) {
    writeAllSync(Deno.stdout, versionText(runMode(), Deno.version));
    return EXIT_OK;
  }
  const o: DriverOptions = parsed;
  if (o.kvsserver !== true) return printUsageError("--kvsserver is not supported yet");
  const env = (name: string) => Deno.env.get(name);
  const chainWhy = chainProblem(o, slurmJobId(env));
  if (chainWhy) return printUsageError(chainWhy);
  if (o.sbatch !== null) return await sbatchMain(argv, o);
  const wall = wallConfig(o, env);
  // --link-of: this run continues a long run; it resumes from every earlier link.
  const chain = o.linkOf === null ? null : chainLink(o.linkOf, fileExists);
  if (typeof chain === "string") return printUsageError(chain);
  if (chain) o.resumeFrom = [...o.resumeFrom, ...chain.link.resume];
  let extras;
  try {
    extras = DriverExtras.forRun(o);
  } catch (e) {
    if (!(e instanceof ExtrasConfigError)) throw e;
    return printUsageError(e.message);
  }
  // The driver's own context needs somewhere to run; -S starts none.
  if (!o.startupOnly) {
    try {
      hostSource(o.sshNode, (name) => Deno.env.get(name));
    } catch (e) {
      if (e instanceof NoEnvironmentError) {
        err(`disbatch: error: ${e.message}`);
        return EXIT_FAILED;
      }
      if (e instanceof NodeListError) return printUsageError(e.message);
      throw e;
    }
  }
  // Tasks come from a file (or stdin), from clients (--taskserver) or from a command's output.
  const streamMode = o.taskserver || o.taskcommand !== null;
  const taskfile = o.taskfile ?? "";
  const sourceName = streamMode ? null : taskfile;

  // Everything that can be wrong with the input is found before anything is created or run.
  let resume: ResumeIndex | null = null;
  const resumeNotes: string[] = [];
  try {
    if (o.resumeFrom.length > 0) resume = await readResume(o.resumeFrom, resumeNotes);
  } catch (e) {
    err(`disbatch: error: ${errorMessage(e)}`);
    return EXIT_USAGE;
  }
  let stream: ReadableStream<Uint8Array> | null = null;
  let isRegular = false;
  /** Task ids in the file, known when a regular file was checked in advance. */
  let total: number | null = null;
  if (streamMode) {
    // The stream (if any) is set up once the prefix is known.
  } else if (taskfile === "-") {
    stream = Deno.stdin.readable;
    input.stdin = true;
  } else {
    try {
      const f = await Deno.open(taskfile, { read: true });
      const st = await f.stat();
      isRegular = st.isFile;
      if (st.isDirectory) {
        f.close();
        throw Object.assign(new Error("Is a directory"), { name: "IsADirectory" });
      }
      // A regular file is checked before the run: one that is shortened later is an error.
      stream = isRegular ? lengthChecked(f.readable, st.size) : f.readable;
    } catch (e) {
      return printUsageError(cannotOpenMessage(taskfile, e));
    }
  }
  const parserOpts = {
    file: o.taskcommand !== null ? "<taskcommand>" : taskfile === "-" ? "<stdin>" : taskfile,
    lenient: o.lenientDirectives,
  };
  if (isRegular) {
    try {
      if (resume) {
        const check = new TaskSource((await Deno.open(taskfile)).readable, {
          ...parserOpts,
          viewCommands: true,
        });
        total = 0;
        for (let item = await check.next(); item; item = await check.next()) {
          if (item.kind === "N" || item.kind === "B" || item.kind === "C") total++;
          if (item.kind !== "N") continue;
          try {
            const skip = resumeSkip(resume, item, { retry: o.retry, force: o.forceResume });
            // The run reads the line again: it need not prove the line's round trip again.
            if (skip && !skip.warning && skip.old.canonical) resume.remember(item.taskId);
          } catch (e) {
            if (!(e instanceof ResumeMismatchError)) throw e;
            await check.close();
            err(`disbatch: ${e.message}`);
            await stream?.cancel();
            return EXIT_FAILED;
          }
        }
      } else total = await checkTaskFile(taskfile, parserOpts);
    } catch (e) {
      await stream?.cancel();
      if (e instanceof TaskFileError) {
        err(`disbatch: error: ${e.message}`);
        return EXIT_TASKFILE;
      }
      throw e;
    }
  }

  let prefix: string;
  try {
    prefix = chain ? chain.link.prefix : resolvePrefix(o.prefix, taskSourceName(sourceName));
  } catch (e) {
    await stream?.cancel();
    if (e instanceof PrefixError) {
      err(e.message);
      return EXIT_FAILED;
    }
    throw e;
  }

  let log: Logger;
  try {
    log = new Logger(o.logfile ?? runFiles.driverLog(prefix), "driver", o.loglevel);
  } catch (e) {
    await stream?.cancel();
    if (!(e instanceof RunFileError)) throw e;
    // argparse opens --logfile for writing: a failure is a usage error, as in the original.
    if (o.logfile !== null) {
      return printUsageError(cannotOpenMessage(o.logfile, e.cause, "--logfile"));
    }
    err(`disbatch: ${e.message}`);
    return EXIT_RUN_FILE;
  }
  for (const note of resumeNotes) log.warn(note);
  const root = chain?.root ?? prefix;
  const linker = o.chain && wall
    ? new ChainLinker({
      root,
      link: { n: chain?.link.n ?? 1, jobId: slurmJobId(env)!, prefix },
      max: o.chainMax,
      words: async () => o.chainSbatch ?? jobSbatchWords(env, await jobTimeLimit(slurmJobId(env)!)),
      command: resumeCommand(root, argv, o.linkOf),
      run: slurmRunner,
      log,
    })
    : null;
  if (linker && wall) wall.onDrain = () => linker.submit();
  if (o.drainBefore !== null && !wall) log.info("--drain-before: not in a Slurm job; ignored");
  let status: StatusFile;
  try {
    status = new StatusFile(runFiles.status(prefix), o.statusHeader);
  } catch (e) {
    await stream?.cancel();
    log.close();
    if (!(e instanceof RunFileError)) throw e;
    err(`disbatch: ${e.message}`);
    return EXIT_RUN_FILE;
  }
  for (const f of await removeCaptureFiles(prefix)) log.warn(`cannot remove old capture file ${f}`);
  const ctxArgs = contextArgs(o);
  /** The auto-launched context printed a failure line (its other lines are warnings). */
  let contextExplained = false;
  const cfg: DriverConfig = {
    prefix,
    nameTasks: taskSourceName(sourceName),
    failFast: o.failFast,
    startupOnly: o.startupOnly,
    retry: o.retry,
    forceResume: o.forceResume,
    noReissue: o.noReissue,
    bind: o.useAddress ? { hostname: o.useAddress.host, port: o.useAddress.port } : null,
    contextArgs: ctxArgs,
    runContext: async () =>
      await (await import("./context_main.ts")).runAutoContext(
        prefix,
        ctxArgs,
        o.loglevel,
        (line) => {
          if (line.startsWith("disbatch: ")) contextExplained = true;
          extras.above(() => err(line));
        },
        () => driver.engineConnection(),
      ),
    defaults: {
      cpusPerTask: o.cpusPerTask,
      tasksPerNode: o.tasksPerNode,
      envResource: o.envResource,
    },
    heartbeat: heartbeatSettings(Deno.env.get("DISBATCH_HEARTBEAT")),
    retries: o.retries,
    timeout: o.timeout,
    capture: { capture: o.capture, maxBytes: o.captureMax },
    total,
    wall,
    exitCodeOf: (outcome) => exitCodeFor(outcome, o.exitCode),
  };
  // --taskcommand: the command can find the run through DISBATCH_DBUTIL (e.g. to submit more).
  const command = o.taskcommand === null
    ? null
    : commandOutput(o.taskcommand, { DISBATCH_DBUTIL: runFiles.dbUtil(prefix) });
  if (command) stream = command.stream;
  const source = o.taskserver
    ? new SubmissionSource(o.lenientDirectives, (m) => log.warn(m))
    : new TaskSource(stream!, {
      ...parserOpts,
      onWarning: (w: { message: string }) => log.warn(w.message),
      // Commands stay views of the read buffer, copied only for the tasks that run (intake.ts):
      // a million skipped tasks' commands were 50 MB of garbage, freed late.
      viewCommands: resume !== null,
    });
  const driver = new Driver(cfg, source, status, log, resume, {
    warn: (line) => extras.above(() => err(line)),
    say: (line) => extras.above(() => console.log(line)),
  });
  let outcome;
  try {
    const running = driver.run();
    running.catch(() => {}); // awaited below; it must not count as unhandled meanwhile
    // The helper script exists now (run() writes it first): `--wait` on the chain can follow.
    linker?.start();
    const statusPath = runFiles.status(prefix);
    await extras.start({ prefix, scriptPath: driver.scriptPath, statusPath, log }, err);
    outcome = await running;
  } catch (e) {
    // P_dbUtil.sh could not be written: nothing has run yet.
    if (!(e instanceof RunFileError)) throw e;
    log.error(e.message);
    log.close();
    await stream?.cancel().catch(() => {});
    await command?.terminate(0);
    err(`disbatch: ${e.message}`);
    return EXIT_RUN_FILE;
  } finally {
    await extras.close();
    // Deleted after the driver's last check (it checks every 500 ms).
    const restored = status.restoreIfDeleted();
    if (restored) {
      log.warn(restored);
      err(`disbatch: warning: ${restored}`);
    }
    status.close();
  }
  // The driver reads lazily, so tasks it never read are not in its count.
  const left = outcome.stoppedBy === "starved" || outcome.stoppedBy === "context_failed" ||
    outcome.resumable === true;
  const unread = left && isRegular && source instanceof TaskSource
    ? await unreadTasks(source, resume, o.retry)
    : 0;
  resume?.close();
  const unrun = `${isRegular ? "" : "at least "}${outcome.unrun + unread} task(s) did not run`;
  const final = driver.snapshot();
  const chainEnd = linker ? await linker.finish(outcome, final.done - final.skipped) : null;
  log.info(`run ended: ${JSON.stringify({ ...outcome, error: outcome.error?.message })}`);
  log.close();
  // Lost log lines are worth one line, unless the run reports its lost status line already.
  if (log.writeFailed && outcome.stoppedBy !== "status_write") {
    err(`disbatch: warning: ${log.writeFailed.message}; some of its lines are missing`);
  }
  await stream?.cancel().catch(() => {});
  if (command) {
    // A command that closed its output gets a moment to exit on its own before it is stopped.
    await exitedWithin(command.status(), outcome.stoppedBy === null ? 2_000 : 0);
    await command.terminate(TERM_GRACE_MS);
    const st = await command.status();
    if (st && (st.code !== 0 || st.signal) && outcome.stoppedBy === null) {
      err(`disbatch: error: --taskcommand exited with ${st.signal ?? st.code}`);
      return EXIT_FAILED;
    }
  }

  switch (outcome.stoppedBy) {
    case "signal":
      break;
    case "status_write":
      err(
        `disbatch: ${outcome.error!.message}; run stopped, resume with -r ${
          runFiles.status(prefix)
        }`,
      );
      break;
    case "source_error":
    case "mismatch":
      err(`disbatch: error: ${outcome.error!.message}`);
      break;
    case "internal_error":
      err(
        `disbatch: internal error: ${
          outcome.error!.message
        }; run stopped (a bug in disbatch: see the log), resume with -r ${runFiles.status(prefix)}`,
      );
      break;
    case "walltime":
      if (!outcome.resumable) break;
      for (
        const line of wallAdvice(outcome, unread, resumeCommand(root, argv, o.linkOf), chainEnd)
      ) {
        err(line);
      }
      return EXIT_INCOMPLETE;
    case "context_failed":
    case "starved":
      for (
        const line of endOfRunAdvice({
          stoppedBy: outcome.stoppedBy,
          unrun: outcome.unrun + unread,
          unrunText: unrun,
          statusRecords: status.records,
          statusPath: runFiles.status(prefix),
          scriptPath: driver.scriptPath,
          contextExplained,
        })
      ) err(line);
      break;
    default: // fail_fast, check, or the run's end
      if (o.exitCode && outcome.failures > 0) {
        err("Some tasks failed with non-zero exit codes -- please check the logs");
      }
  }
  return exitCodeFor(outcome, o.exitCode);
}
