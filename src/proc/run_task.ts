/**
 * Running one task command (spec §6.1): `/bin/bash -c <command>` in its own session, stdin
 * `/dev/null`, stdout/stderr counted and snippeted, completion awaited without polling.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { errnoOf } from "../os/errno.ts";
import type { TaskOutcome } from "../protocol/messages.ts";
import { SnippetCollector } from "../status/snippet.ts";
import { terminateGroup } from "./kill_group.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { type SessionSpawner, sessionSpawner, SessionSpawnError } from "./session_spawner.ts";
import { signalNumber } from "./signal_number.ts";
import { inOwnSession } from "./setsid_path.ts";

/** The outcome of one task run, as the status file wants it (times are epoch seconds). */
export type TaskRunResult = TaskOutcome;

/** Options of {@link startTask}. */
export interface StartTaskOptions {
  /** The command bytes (prefix/suffix already applied); may be invalid UTF-8. */
  command: Uint8Array;
  /** Added on top of the engine's own environment (and of `baseEnv`). */
  env: Record<string, string>;
  /**
   * Variables that many tasks share (an engine's per-cylinder set), applied before `env`. Pass
   * the same unchanged object each time: the FFI spawner keeps its encoding (and the engine's
   * environment as it was at the object's first use).
   */
  baseEnv?: Readonly<Record<string, string>>;
  cwd: string;
  /** How long to keep reading the pipes after the process exited (default 5000 ms). */
  pipeGraceMs?: number;
  /**
   * Called once when the task has finished (its process exited and its output pipes closed or
   * were given up; or it failed to start), before {@link RunningTask.done}'s callbacks run. With
   * the FFI spawner the call comes synchronously from the event that finished the task, so a
   * caller keeping one task per slot starts the next one without a detour through promise
   * callbacks (a fifth of the time between two trivial tasks).
   */
  onDone?: () => void;
  /**
   * How the new session is made: `posix_spawn` through FFI (default where available, see
   * `session_spawner.ts`) or util-linux `setsid(1)`. `DISBATCH_SPAWN=setsid` forces the latter.
   */
  via?: "posix_spawn" | "setsid";
  /**
   * Also gets every chunk read from the task's stdout and stderr (`--capture`), in order, while
   * the pipes are read: the same bytes the counts and snippets see. Chunks may be the reader's
   * buffer: use or copy them before returning.
   */
  tee?: { stdout(chunk: Uint8Array): void; stderr(chunk: Uint8Array): void };
}

/** Return code when a spawn error carries no errno (spec §6.1). */
const NO_ERRNO_RC = 200;

const seconds = (): number => Date.now() / 1000;

/** A started task; {@link done} resolves with its result and never rejects. */
export class RunningTask {
  /** PID of the bash process (process-group and session leader); −1 if the spawn failed. */
  readonly pid: number;
  /** The result, once the process exited and its pipes were drained (or the pipe grace ran out). */
  readonly done: Promise<TaskRunResult>;
  readonly #status: Promise<unknown>;

  constructor(opts: StartTaskOptions) {
    const start = seconds();
    const spawner = chooseSpawner(opts);
    let child: StartedChild;
    try {
      child = spawner ? startInSession(spawner, opts) : startWithSetsid(opts);
    } catch (e) {
      this.pid = -1;
      const error = spawner ? pythonStyle(spawner, e, opts.cwd) : e;
      // Not from inside the caller's own startTask() call: it may be looping over its slots.
      if (opts.onDone) queueMicrotask(opts.onDone);
      this.done = Promise.resolve(spawnFailure(error, start));
      this.#status = this.done;
      return;
    }
    this.pid = child.pid;
    this.#status = child.rc;
    const collected = collect(child, start, opts.pipeGraceMs ?? 5000);
    const onDone = opts.onDone;
    // The FFI spawner calls onDone itself, straight from the event.
    this.done = spawner || !onDone ? collected : collected.then((r) => {
      onDone();
      return r;
    });
  }

  /** SIGTERM the task's process group, SIGKILL it after `graceMs`; resolves once the task exited. */
  async terminate(graceMs: number): Promise<void> {
    if (this.pid > 0) await terminateGroup(this.pid, this.#status, graceMs);
  }
}

const forcedSetsid = (() => {
  try {
    return Deno.env.get("DISBATCH_SPAWN") === "setsid";
  } catch {
    return false;
  }
})();

/**
 * Opened when this module loads, not at the first task: the dynamic library it holds is
 * process-wide (and Deno's test sanitizer would blame whichever test opened it).
 */
const SPAWNER = forcedSetsid ? null : sessionSpawner();

/**
 * The FFI spawner when it can run this task: available, wanted, able to enter `cwd`, and the
 * command has no NUL byte (a C string cannot carry one; Deno's own check reports it as before).
 */
function chooseSpawner(opts: StartTaskOptions): SessionSpawner | null {
  if (opts.via === "setsid") return null;
  const spawner = SPAWNER ?? (opts.via === "posix_spawn" ? sessionSpawner() : null);
  if (spawner === null || opts.command.includes(0) || !spawner.canRunIn(opts.cwd)) return null;
  return spawner;
}

/**
 * Python's wording for a failed start (`[Errno 7] Argument list too long: '/bin/bash'`), naming
 * the working directory when that is what is missing, as subprocess does.
 */
function pythonStyle(spawner: SessionSpawner, e: unknown, cwd: string): unknown {
  if (!(e instanceof SessionSpawnError)) return e;
  let culprit = "/bin/bash";
  try {
    if (!Deno.statSync(cwd).isDirectory) culprit = cwd;
  } catch {
    culprit = cwd;
  }
  return new SessionSpawnError(
    e.errno,
    `[Errno ${e.errno}] ${spawner.describe(e.errno)}: '${culprit}'`,
    { cause: e },
  );
}

/** A started child, whichever way it was started, as {@link collect} needs it. */
interface StartedChild {
  pid: number;
  /** The return code (−N when killed by signal N), once the child exited. */
  rc: Promise<number>;
  out: SnippetCollector;
  err: SnippetCollector;
  /** When the process was reaped (epoch seconds) if that was recorded at the event, else null. */
  exitedAt(): number | null;
  /** Whether both pipes have reached end of file already. */
  drained(): boolean;
  /** Resolves once both pipes reached end of file. */
  eof: Promise<void>;
  /** Stops reading the pipes (a background grandchild may hold them open forever). */
  abandon(): Promise<void>;
}

/** Starts bash through the FFI spawner; throws when nothing started. */
function startInSession(spawner: SessionSpawner, opts: StartTaskOptions): StartedChild {
  const out = new SnippetCollector();
  const err = new SnippetCollector();
  const child = spawner.spawn({
    file: "/bin/bash",
    argv: ["/bin/bash", "-c", opts.command],
    env: opts.env,
    ...(opts.baseEnv ? { baseEnv: opts.baseEnv } : {}),
    cwd: opts.cwd,
    onStdout: teed(out, opts.tee?.stdout),
    onStderr: teed(err, opts.tee?.stderr),
    ...(opts.onDone ? { onDone: opts.onDone } : {}),
  });
  let drained = false;
  void child.drained.then(() => drained = true);
  return {
    pid: child.pid,
    rc: child.status.then((s) => s.signal === null ? s.code : -s.signal),
    exitedAt: () => child.exitedAt === null ? null : child.exitedAt / 1000,
    out,
    err,
    drained: () => drained,
    eof: child.drained,
    abandon: () => Promise.resolve(child.abandonPipes()),
  };
}

/** Starts `setsid /bin/bash -c …` with Deno.Command; throws when nothing started. */
function startWithSetsid(opts: StartTaskOptions): StartedChild {
  const session = inOwnSession("/bin/bash", ["-c", bashScript(opts.command)]);
  const child = new Deno.Command(session.cmd, {
    args: session.args,
    env: opts.baseEnv ? { ...opts.baseEnv, ...opts.env } : opts.env,
    clearEnv: false,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: session.detached,
  }).spawn();
  const out = new SnippetCollector();
  const err = new SnippetCollector();
  const pumps = [
    pump(child.stdout, teed(out, opts.tee?.stdout)),
    pump(child.stderr, teed(err, opts.tee?.stderr)),
  ];
  return {
    pid: child.pid,
    rc: child.status.then(returnCode),
    exitedAt: () => null,
    out,
    err,
    drained: () => pumps.every((p) => p.eof),
    eof: Promise.all(pumps.map((p) => p.done)).then(() => {}),
    abandon: () =>
      Promise.all(pumps.map((p) => p.reader.cancel().then(() => p.done))).then(() => {}),
  };
}

/** Waits for the exit, then for the pipes for at most `pipeGraceMs`, and builds the result. */
async function collect(
  child: StartedChild,
  start: number,
  pipeGraceMs: number,
): Promise<TaskRunResult> {
  const rc = await child.rc;
  const finish = child.exitedAt() ?? seconds();
  // A background child may hold the pipes open forever: read on for a bounded time only.
  if (!child.drained() && !(await exitedWithin(child.eof, pipeGraceMs))) await child.abandon();
  return {
    pid: child.pid,
    rc,
    start,
    finish,
    outBytes: child.out.bytes,
    outSnippet: child.out.text(),
    errBytes: child.err.bytes,
    errSnippet: child.err.text(),
  };
}

/** Starts a task; spawn failures are reported through {@link RunningTask.done}, never thrown. */
export function startTask(opts: StartTaskOptions): RunningTask {
  return new RunningTask(opts);
}

/**
 * Deno passes arguments as UTF-8 strings, so invalid UTF-8 is handed to bash ANSI-C quoted.
 * Valid UTF-8 stays a plain `-c` argument to keep bash's exec optimisation (PID = command's).
 */
function bashScript(command: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(command);
  } catch {
    let quoted = "";
    for (const b of command) {
      quoted += b >= 0x80 || b < 0x20 || b === 0x7f || b === 0x27 || b === 0x5c
        ? "\\x" + b.toString(16).padStart(2, "0")
        : String.fromCharCode(b);
    }
    return `eval $'${quoted}'`;
  }
}

/** The chunk handler feeding `collector`, and `also` when given. */
function teed(
  collector: SnippetCollector,
  also: ((chunk: Uint8Array) => void) | undefined,
): (chunk: Uint8Array) => void {
  if (!also) return (chunk) => collector.push(chunk);
  return (chunk) => {
    collector.push(chunk);
    also(chunk);
  };
}

/** Reads a stream into `sink` until EOF or cancellation. */
function pump(stream: ReadableStream<Uint8Array>, sink: (chunk: Uint8Array) => void) {
  const reader = stream.getReader();
  const state = { reader, eof: false, done: Promise.resolve() };
  state.done = (async () => {
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) sink(r.value);
    } catch {
      // A read error ends the stream like EOF: the bytes so far are the task's output.
    }
    state.eof = true;
  })();
  return state;
}

/** Exit status, or −N when killed by signal N (Deno reports code 128+N alongside the name). */
function returnCode(status: Deno.CommandStatus): number {
  if (status.signal === null) return status.code;
  return -(signalNumber(status.signal) || status.code - 128);
}

function spawnFailure(e: unknown, start: number): TaskRunResult {
  // A TypeError is Deno rejecting the arguments (a NUL byte) before any system call: like
  // Python's ValueError it carries no errno, even though Deno labels it EINVAL.
  const rc = e instanceof SessionSpawnError
    ? e.errno
    : e instanceof TypeError
    ? NO_ERRNO_RC
    : errnoOf(e) ?? NO_ERRNO_RC;
  const text = `Exception during task execution: ${errorMessage(e)}`;
  return {
    pid: -1,
    rc,
    start,
    finish: seconds(),
    outBytes: 0,
    outSnippet: "",
    errBytes: [...text].length, // Python counts code points
    errSnippet: text,
  };
}
