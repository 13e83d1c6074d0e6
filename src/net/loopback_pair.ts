/**
 * For tests of connections: a listener on loopback and one authenticated connection to it.
 * @module
 */
import { connectToDriver } from "./connect.ts";
import { type Connection, newSecret } from "./connection.ts";
import { Listener } from "./listener.ts";
import type { Role } from "../protocol/messages.ts";

/** `[driver end, peer end, listener]` of a fresh connection with `role`. */
export async function loopbackPair(role: Role): Promise<[Connection, Connection, Listener]> {
  const secret = newSecret();
  const accepted = Promise.withResolvers<Connection>();
  const l = new Listener({
    hostname: "127.0.0.1",
    port: 0,
    secret,
    onPeer: (_role, conn) => accepted.resolve(conn),
    onReject: (_peer, e) => accepted.reject(e),
  });
  const peer = await connectToDriver([`127.0.0.1:${l.addr.port}`], secret, role);
  return [await accepted.promise, peer, l];
}

/** Closes the connections and the listener of a {@link loopbackPair}. */
export async function closePair(l: Listener, ...conns: Connection[]): Promise<void> {
  for (const c of conns) c.close();
  await Promise.all(conns.map((c) => c.done));
  await l.close();
}
