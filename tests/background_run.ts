/**
 * End-to-end helpers for runs the test must interact with while they are going on: a
 * disbatch started in the background (signals, stdin written line by line, extra contexts),
 * and polling until the run reaches a state.
 * @module
 */
import { exitedWithin } from "../src/time/exited_within.ts";
import { LAUNCHER, livePids, type RunResult } from "./helpers.ts";

/** A disbatch process started by {@link startDisbatch}. */
export interface BackgroundRun {
  /** PID of the driver (the launcher execs the runtime, so this is the driver itself). */
  pid: number;
  /** Exit code and everything it printed, once it has exited. */
  result: Promise<RunResult>;
  /** Resolves when it has printed something (on stdout or stderr), or has exited. */
  printed: Promise<void>;
  /** Sends a signal to the driver. */
  kill(signal: Deno.Signal): void;
  /** Writes text to its stdin (only with `stdin: "piped"`). */
  write(text: string): Promise<void>;
  /** Closes its stdin (only with `stdin: "piped"`). */
  closeStdin(): Promise<void>;
}

/** Options of {@link startDisbatch}. */
export interface StartOptions {
  cwd: string;
  /** Added to the inherited environment, or the whole environment with `clearEnv`. */
  env?: Record<string, string>;
  clearEnv?: boolean;
  stdin?: "piped" | "null";
}

/** Starts `scripts/disbatch args…` without waiting for it. */
export function startDisbatch(args: string[], opts: StartOptions): BackgroundRun {
  return startProgram(LAUNCHER, args, opts);
}

/** Starts any program (e.g. a run's `P_dbUtil.sh`) the same way as {@link startDisbatch}. */
export function startProgram(cmd: string, args: string[], opts: StartOptions): BackgroundRun {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    clearEnv: opts.clearEnv ?? false,
    stdin: opts.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = opts.stdin === "piped" ? child.stdin.getWriter() : null;
  const printed = Promise.withResolvers<void>();
  const text = async (stream: ReadableStream<Uint8Array>) => {
    let out = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      out += chunk;
      printed.resolve();
    }
    return out;
  };
  const result = Promise.all([text(child.stdout), text(child.stderr), child.status])
    .then(([stdout, stderr, status]) => ({ code: status.code, stdout, stderr }));
  child.status.then(() => printed.resolve());
  return {
    pid: child.pid,
    result,
    printed: printed.promise,
    kill: (signal) => child.kill(signal),
    write: async (text) => await writer!.write(new TextEncoder().encode(text)),
    closeStdin: async () => await writer!.close(),
  };
}

/** Polls `f` every `everyMs` until it returns a value other than undefined; fails after `ms`. */
export async function waitForValue<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms = 15_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `cond` every 20 ms until it holds; throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitForValue(what, async () => (await cond()) || undefined, timeoutMs, 20);
}

/**
 * Gives the processes matching `needle` (see livePids) up to `ms` to end, and returns either
 * way: the test then checks what is left.
 */
export async function waitGone(needle: string, ms: number): Promise<void> {
  await waitFor(`${needle} processes to end`, async () => (await livePids(needle)).length === 0, ms)
    .catch(() => {});
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** This process's environment without `names` (for `clearEnv` runs). */
export function envWithout(...names: string[]): Record<string, string> {
  const env = Deno.env.toObject();
  for (const n of names) delete env[n];
  return env;
}

/** A token unlikely to appear in any other process's command line, for `/proc` searches. */
export function uniqueMarker(): string {
  return String(100_000 + Math.floor(Math.random() * 900_000));
}

/** Sends SIGKILL to each PID (test clean-up of processes this test caused). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * The result of a command that must end as soon as its work is done: it must exit within
 * `ms` once `done` settles (e.g. its {@link BackgroundRun.printed}, or the end of the run it
 * waits for). Otherwise it is SIGKILLed and this throws.
 */
export async function resultPromptly(
  run: BackgroundRun,
  done: Promise<unknown>,
  ms = 3_000,
): Promise<RunResult> {
  await done;
  return await resultWithin(run, ms).catch((e) => {
    throw new Error(`the command was still running ${ms} ms after its work was done`, {
      cause: e,
    });
  });
}

/**
 * Runs `disbatch args…` (a client command) with `input` on its stdin, and returns its result;
 * it must exit within 3 s of printing its first output, or of `done` settling when given (e.g.
 * the end of the run it waits for), else this throws.
 */
export async function disbatchPromptly(
  args: string[],
  opts: StartOptions & { input?: string; done?: Promise<unknown> },
): Promise<RunResult> {
  const piped = opts.input !== undefined;
  const run = startDisbatch(args, { ...opts, stdin: piped ? "piped" : opts.stdin });
  if (piped) {
    await run.write(opts.input!);
    await run.closeStdin();
  }
  return await resultPromptly(run, opts.done ?? run.printed);
}

/** The run's result, or SIGKILL it and throw when it takes longer than `ms` (a hang). */
export async function resultWithin(run: BackgroundRun, ms: number): Promise<RunResult> {
  if (await exitedWithin(run.result, ms)) return await run.result;
  run.kill("SIGKILL");
  await run.result;
  throw new Error(`the run did not end within ${ms} ms`);
}
