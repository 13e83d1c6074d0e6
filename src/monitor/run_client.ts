/**
 * Talking to a running driver from outside: find the run's helper script, connect with its
 * credentials, fetch state snapshots, wait for the end.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { connectToDriver, orderAddresses } from "../net/connect.ts";
import { Channel, type ChannelOf } from "../net/channel.ts";
import { CLIENT_SIDE } from "../protocol/client_messages.ts";
import { parseDbUtil, type RunCredentials } from "../protocol/db_util_script.ts";
import { parseRunEnd } from "../protocol/run_end_record.ts";
import type { Role, RunState } from "../protocol/messages.ts";
import { prefixOf, runFiles } from "../protocol/run_files.ts";

/** The run cannot be found or reached. */
export class RunNotFoundError extends Error {
  override name = "RunNotFoundError";
}

/** A run named by its prefix P or its `P_dbUtil.sh`. */
export interface RunHandle {
  script: string;
  creds: RunCredentials;
  /** Exit code recorded in the script when the run has ended, else null. */
  exitCode: number | null;
  /** The final state recorded with the exit code (null before the end, or not recorded). */
  finalState: RunState | null;
}

/** Finds the helper script of `target` (P, or the script itself) and reads it. */
export async function openRun(target: string): Promise<RunHandle> {
  const script = runFiles.dbUtil(prefixOf(target));
  let text: string;
  try {
    text = await Deno.readTextFile(script);
  } catch (e) {
    throw new RunNotFoundError(`cannot read ${script}: ${errorMessage(e)}`, { cause: e });
  }
  const end = parseRunEnd(text);
  return { script, creds: parseDbUtil(text), exitCode: end.exitCode, finalState: end.state };
}

/** A client's or monitor's connection to the driver. */
export type RunConnection = ChannelOf<typeof CLIENT_SIDE>;

/** Connects to the run's driver as `role`; throws RunNotFoundError when the driver is gone. */
export async function connectToRun(
  run: RunHandle,
  role: Extract<Role, "client" | "monitor"> = "monitor",
  timeoutMs = 5_000,
): Promise<RunConnection> {
  try {
    const conn = await connectToDriver(
      orderAddresses(run.creds.addresses, run.creds.driverHost),
      run.creds.secret,
      role,
      timeoutMs,
    );
    return new Channel(conn, CLIENT_SIDE);
  } catch (e) {
    throw new RunNotFoundError(`the run's driver cannot be reached (${errorMessage(e)})`, {
      cause: e,
    });
  }
}

/** One state snapshot from a live driver. */
export async function fetchState(run: RunHandle): Promise<RunState> {
  const c = await connectToRun(run);
  try {
    c.send({ t: "snapshot" });
    for (;;) {
      const m = await c.next(10_000);
      if (!m) throw new RunNotFoundError("the driver closed the connection");
      if (m.t === "state") return m.state;
    }
  } finally {
    c.close();
    await c.done;
  }
}

/**
 * Follows a run until it ends. Resolves with the run's exit code (null if the driver vanished
 * without telling).
 */
export async function watchRun(run: RunHandle): Promise<number | null> {
  const c = await connectToRun(run);
  return await new Promise<number | null>((resolve) => {
    let code: number | null = null;
    c.attach({
      message: (m) => {
        if (m.t === "end") code = m.exitCode;
        else if (m.t === "bye") c.close();
      },
      closed: () => resolve(code),
    });
    c.send({ t: "watch" });
  });
}
