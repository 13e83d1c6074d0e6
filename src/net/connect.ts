/**
 * Client side: reach the driver at the first of its advertised addresses that answers,
 * and authenticate.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { exitedWithin } from "../time/exited_within.ts";
import type { Role } from "../protocol/messages.ts";
import { MAX_LINE_BYTES } from "../protocol/ndjson.ts";
import { Connection, offerHandshake } from "./connection.ts";

/** No advertised address of the driver could be reached. */
export class ConnectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectError";
  }
}

/** A host's short name (before the first dot): how disBatch compares host names. */
export function shortHostName(host: string): string {
  return host.split(".")[0];
}

/**
 * Orders the driver's advertised addresses for a peer on `myHost`: loopback first on the
 * driver's own host, last elsewhere (where it would reach the wrong machine).
 */
export function orderAddresses(
  addresses: string[],
  driverHost: string,
  myHost: string = Deno.hostname(),
): string[] {
  const loop = addresses.filter((a) => a.startsWith("127."));
  const other = addresses.filter((a) => !a.startsWith("127."));
  return shortHostName(driverHost) === shortHostName(myHost)
    ? [...loop, ...other]
    : [...other, ...loop];
}

/** Splits `host:port` (the host may be a bracketed IPv6 literal). */
export function splitHostPort(addr: string): { hostname: string; port: number } {
  const i = addr.lastIndexOf(":");
  const port = Number(addr.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConnectError(`not a host:port address: ${addr}`);
  }
  return { hostname: addr.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * Connects to the first reachable address and completes the handshake.
 * Throws {@link ConnectError} (nothing reachable) or a HandshakeError (refused).
 */
export async function connectToDriver(
  addresses: string[],
  secret: string,
  role: Role,
  timeoutMs = 10_000,
): Promise<Connection> {
  const failures: string[] = [];
  for (const a of addresses) {
    let raw: Deno.TcpConn;
    const attempt = Deno.connect(splitHostPort(a));
    try {
      if (!(await exitedWithin(attempt, timeoutMs))) {
        throw new Error(`${a}: no answer in ${timeoutMs} ms`);
      }
      raw = await attempt;
    } catch (e) {
      // A connection that completes after we gave up must not leak.
      attempt.then((c) => c.close(), () => {});
      failures.push(`${a}: ${errorMessage(e)}`);
      continue;
    }
    const c = new Connection(raw);
    try {
      await offerHandshake(c, secret, role, timeoutMs, MAX_LINE_BYTES);
    } catch (e) {
      c.close();
      await c.done;
      throw e;
    }
    return c;
  }
  throw new ConnectError(`cannot reach the driver (${failures.join("; ")})`);
}
