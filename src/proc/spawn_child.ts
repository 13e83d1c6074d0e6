/**
 * Long-lived helper processes (engines, contexts, ssh, srun, retire commands) and short
 * captured commands (`hostname`, `scontrol show hostnames`).
 *
 * Deno.Command cannot take a file or raw fd for stdout/stderr, so output to files goes through
 * `/bin/sh -c 'o=$1 e=$2; shift 2; exec "$@" >>"$o" 2>>"$e"' sh OUT ERR cmd args…`: sh applies
 * the appending redirections and execs the command, which therefore keeps sh's PID. In that mode
 * a missing command is reported by sh (exit 127, message in the stderr file), not thrown.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { terminateGroup } from "./kill_group.ts";
import { inOwnSession } from "./setsid_path.ts";

/** Options of {@link spawnChild}. */
export interface SpawnChildOptions {
  cmd: string;
  args: string[];
  /** Added on top of this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Default "null". */
  stdin?: "null" | "piped";
  /** Append stdout to this file; null/undefined discards stdout. */
  stdoutFile?: string | null;
  /** Default "inherit". "file" appends to `stderrFile`, or shares `stdoutFile` when that is unset. */
  stderr?: "inherit" | "file" | "null";
  stderrFile?: string;
}

/** Exit status of a child: `signal` is Deno's name (e.g. "SIGKILL") or null. */
export interface ChildStatus {
  code: number;
  signal: string | null;
}

/** A running child that leads its own session and process group. */
export interface ChildHandle {
  readonly pid: number;
  /** Resolves when the child exited; never rejects. */
  readonly status: Promise<ChildStatus>;
  /** Writes to the child's stdin (only with `stdin: "piped"`); rejects if the child closed it. */
  writeStdin(data: Uint8Array | string): Promise<void>;
  /** Closes the child's stdin (only with `stdin: "piped"`). */
  closeStdin(): Promise<void>;
  /** SIGTERM the child's process group, SIGKILL it after `graceMs`; resolves once the child exited. */
  terminate(graceMs: number): Promise<void>;
}

/** A child could not be started (or its output file could not be opened). */
export class SpawnError extends Error {
  override name = "SpawnError";
}

/**
 * Starts `cmd args…` in a session of its own (at once with `detached: true`, or a moment after
 * the spawn through setsid(1), see setsid_path.ts); throws {@link SpawnError} if that fails.
 */
export function spawnChild(opts: SpawnChildOptions): ChildHandle {
  const out = opts.stdoutFile ?? null;
  const stderr = opts.stderr ?? "inherit";
  const errFile = stderr === "file" ? opts.stderrFile ?? out : null;
  if (stderr === "file" && errFile === null) {
    throw new SpawnError(`${opts.cmd}: stderr "file" needs stderrFile or stdoutFile`);
  }
  let cmd = opts.cmd;
  let args = opts.args;
  if (out !== null || errFile !== null) {
    for (const path of new Set([out, errFile])) if (path !== null) touch(path);
    const redirect = (out === null ? "" : ' >>"$o"') +
      (errFile === null ? "" : errFile === out ? " 2>&1" : ' 2>>"$e"');
    args = [
      "-c",
      `o=$1 e=$2; shift 2; exec "$@"${redirect}`,
      "sh",
      out ?? "",
      errFile ?? "",
      cmd,
      ...args,
    ];
    cmd = "/bin/sh";
  }
  // Through setsid(1) only when the program is sh, which surely exists: a missing program must
  // still throw here, not exit in setsid.
  const session = cmd === "/bin/sh" ? inOwnSession(cmd, args) : { cmd, args, detached: true };
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(session.cmd, {
      args: session.args,
      env: opts.env,
      clearEnv: false,
      cwd: opts.cwd,
      stdin: opts.stdin ?? "null",
      stdout: "null",
      stderr: stderr === "inherit" ? "inherit" : "null",
      detached: session.detached,
    }).spawn();
  } catch (e) {
    throw new SpawnError(`cannot start ${opts.cmd}: ${errorMessage(e)}`, { cause: e });
  }
  const status = child.status.then(({ code, signal }) => ({ code, signal }));
  let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  const stdinWriter = () => writer ??= child.stdin.getWriter();
  if (opts.stdin === "piped") {
    // Release the pipe once the child is gone, so an unclosed stdin does not leak the resource.
    status.then(() => stdinWriter().close()).catch(() => {});
  }
  return {
    pid: child.pid,
    status,
    writeStdin: async (data) =>
      await stdinWriter().write(typeof data === "string" ? new TextEncoder().encode(data) : data),
    closeStdin: async () => await stdinWriter().close(),
    terminate: (graceMs) => terminateGroup(child.pid, status, graceMs),
  };
}

/** Creates `path` if needed, so an unwritable log surfaces here rather than as a silent sh exit 2. */
function touch(path: string): void {
  try {
    Deno.openSync(path, { append: true, create: true }).close();
  } catch (e) {
    throw new SpawnError(`cannot open ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

/** Result of {@link runCapture}; stdout/stderr decoded as UTF-8 with replacement. */
export interface CaptureResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short command to completion and captures its output. Not detached: such a command
 * should die with the driver on a terminal Ctrl-C. Throws {@link SpawnError} if it cannot start.
 */
export async function runCapture(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; signal?: AbortSignal } = {},
): Promise<CaptureResult> {
  try {
    const { env, cwd, signal } = opts;
    return decoded(await new Deno.Command(cmd, { args, env, cwd, signal, stdin: "null" }).output());
  } catch (e) {
    throw cannotRun(cmd, e);
  }
}

function decoded(output: Deno.CommandOutput): CaptureResult {
  const dec = new TextDecoder();
  return {
    code: output.code,
    stdout: dec.decode(output.stdout),
    stderr: dec.decode(output.stderr),
  };
}

function cannotRun(cmd: string, e: unknown): SpawnError {
  return new SpawnError(`cannot run ${cmd}: ${errorMessage(e)}`, { cause: e });
}

/**
 * Runs a command with this process's stdout and stderr (e.g. `sbatch`, whose "Submitted batch
 * job N" the user must see) and returns its exit code. Throws {@link SpawnError}.
 */
export async function runInherit(cmd: string, args: string[]): Promise<number> {
  try {
    const { code } = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    return code;
  } catch (e) {
    throw cannotRun(cmd, e);
  }
}

/**
 * Runs a command with `input` on its stdin and captures its output (e.g. a sendmail program).
 * Throws {@link SpawnError} if it cannot start; a child that stops reading early is not an error.
 */
export async function runWithInput(
  cmd: string,
  args: string[],
  input: Uint8Array,
): Promise<CaptureResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (e) {
    throw cannotRun(cmd, e);
  }
  const w = child.stdin.getWriter();
  await w.write(input).catch(() => {});
  await w.close().catch(() => {});
  return decoded(await child.output());
}
