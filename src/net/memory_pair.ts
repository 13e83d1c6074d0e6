/**
 * Two {@link Connection}s joined in memory: what one end sends, the other receives, as the very
 * object that was sent — no encoding, no copy, no socket, system call or thread in between. For
 * a peer that runs inside the driver process (the engine of a local run): it speaks the protocol
 * like any other (each message still passes its direction's decoder in {@link Channel}), and the
 * driver cannot tell it from a TCP peer. No handshake: both ends are this process.
 * @module
 */
import { Connection } from "./connection.ts";

/**
 * The byte stream under one end: it carries nothing (the messages go between the two
 * Connections directly), and its read only learns of the close, which ends the Connection's
 * read loop as a socket's end of file would.
 */
class NoBytes {
  readonly remoteAddr: Deno.NetAddr;
  readonly #closed = Promise.withResolvers<null>();

  constructor(name: string) {
    // Port 0 and the peer's name: logs say "in-process:0" where a TCP peer has its address.
    this.remoteAddr = { transport: "tcp", hostname: name, port: 0 };
  }

  read(_buf: Uint8Array): Promise<number | null> {
    return this.#closed.promise;
  }

  write(_data: Uint8Array): Promise<number> {
    return Promise.reject(new Error("an in-memory connection writes no bytes"));
  }

  close(): void {
    this.#closed.resolve(null);
  }
}

/**
 * `[driver end, peer end]`, past the handshake. A sender must not change a message once sent:
 * the receiver gets that object.
 */
export function memoryPair(): [Connection, Connection] {
  const pair: [Connection, Connection] = [
    new Connection(new NoBytes("in-process")),
    new Connection(new NoBytes("driver")),
  ];
  Connection.joinInMemory(pair[0], pair[1]);
  return pair;
}
