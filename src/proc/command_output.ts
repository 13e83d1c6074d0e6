/**
 * The standard output of a shell command as a stream, for `--taskcommand`: the command starts
 * when the stream is first read, in its own session, with stderr on ours.
 * @module
 */
import { terminateGroup } from "./kill_group.ts";
import { inOwnSession } from "./setsid_path.ts";
import type { ChildStatus } from "./spawn_child.ts";

/** A command whose stdout is read lazily. */
export interface CommandOutput {
  /** Its stdout; reading it starts the command. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Its exit status once started and finished; null if it never started. */
  status(): Promise<ChildStatus | null>;
  /** Stops it (process group SIGTERM, then SIGKILL after `graceMs`). */
  terminate(graceMs: number): Promise<void>;
}

/** Runs `sh -c <command>` on first read of {@link CommandOutput.stream}. */
export function commandOutput(command: string, env: Record<string, string>): CommandOutput {
  let child: Deno.ChildProcess | null = null;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let status: Promise<ChildStatus> | null = null;
  const start = () => {
    const session = inOwnSession("/bin/sh", ["-c", command]);
    child = new Deno.Command(session.cmd, {
      args: session.args,
      env,
      clearEnv: false,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
      detached: session.detached,
    }).spawn();
    reader = child.stdout.getReader();
    status = child.status.then(({ code, signal }) => ({ code, signal }));
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!reader) start();
      const r = await reader!.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await reader?.cancel();
    },
  });
  return {
    stream,
    status: () => status ?? Promise.resolve(null),
    terminate: async (graceMs) => {
      if (!child || !status) return;
      await terminateGroup(child.pid, status, graceMs);
      await reader?.cancel().catch(() => {});
    },
  };
}
