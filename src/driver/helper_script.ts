/**
 * The run's helper script `P_dbUtil.sh`: how peers find and join the driver (its addresses and
 * secret). Written once the listener's port is known.
 * @module
 */
import { renderDbUtil } from "../protocol/db_util_script.ts";
import { DB_UTIL_MODE, runFiles } from "../protocol/run_files.ts";
import { selfCommand } from "../proc/self_command.ts";
import { RunFileError, writingRunFile } from "../log/run_file_error.ts";
import { replaceFileSync } from "../os/replace_file.ts";

/** Addresses peers may use: loopback first for same-host peers is the peer's choice. */
export function advertisedAddresses(bound: string, port: number): string[] {
  if (bound !== "0.0.0.0" && bound !== "::") return [`${bound}:${port}`];
  const ips = Deno.networkInterfaces()
    .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    .map((i) => `${i.address}:${port}`);
  return [...ips, `127.0.0.1:${port}`];
}

/**
 * Writes the helper script of the run with prefix `prefix` (owner-only: it holds the secret)
 * and returns its path. Throws RunFileError when it cannot be written.
 */
export function writeHelperScript(
  prefix: string,
  addresses: string[],
  driverHost: string,
  secret: string,
): string {
  const path = runFiles.dbUtil(prefix);
  const about = { addresses, primary: addresses[0], driverHost, secret, prefix };
  const script = renderDbUtil(about, selfCommand([]), path);
  // Renamed into place whole: the script is run while the driver writes it (peers start with
  // it; `--mon` and contexts any time), an exec of a file open for writing fails (ETXTBSY), and
  // a half-written one would run half.
  writingRunFile(path, () => replaceFileSync(path, script, DB_UTIL_MODE));
  return path;
}

/**
 * Appends the run's end record (see run_end_record.ts) to the helper script; returns why it
 * could not be, or null.
 */
export function appendRunEnd(path: string, record: string): string | null {
  try {
    replaceFileSync(path, Deno.readTextFileSync(path) + record, DB_UTIL_MODE);
    return null;
  } catch (e) {
    return new RunFileError(path, e).message;
  }
}
