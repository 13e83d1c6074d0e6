/**
 * Two {@link Connection}s joined in memory: what one end sends, the other receives, with no
 * socket, system call or thread in between. For a peer that runs inside the driver process
 * (the engine of a local run): it speaks the protocol like any other, and the driver cannot tell
 * it from a TCP peer. No handshake: both ends are this process.
 * @module
 */
import { Connection } from "./connection.ts";
import { MAX_LINE_BYTES } from "../protocol/ndjson.ts";

/** One direction of a pair: bytes written and not read yet, and a reader waiting for them. */
class Pipe {
  readonly #chunks: Uint8Array[] = [];
  #waiter: (() => void) | null = null;
  #closed = false;

  write(data: Uint8Array): number {
    if (this.#closed) throw new Deno.errors.BrokenPipe("the other end is closed");
    // Copied: the writer may reuse its buffer once the write returned.
    this.#chunks.push(data.slice());
    this.#wake();
    return data.length;
  }

  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#closed) return null;
      await new Promise<void>((r) => this.#waiter = r);
    }
    const head = this.#chunks[0];
    const n = Math.min(head.length, buf.length);
    buf.set(head.subarray(0, n));
    if (n === head.length) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(n);
    return n;
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}

/** The end of a pair that {@link Connection} reads and writes. */
class MemoryConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly #in: Pipe;
  readonly #out: Pipe;

  constructor(input: Pipe, output: Pipe, name: string) {
    this.#in = input;
    this.#out = output;
    // Port 0 and the peer's name: logs say "in-process:0" where a TCP peer has its address.
    this.remoteAddr = { transport: "tcp", hostname: name, port: 0 };
  }

  read(buf: Uint8Array): Promise<number | null> {
    return this.#in.read(buf);
  }

  write(data: Uint8Array): Promise<number> {
    try {
      return Promise.resolve(this.#out.write(data));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closing either end ends both directions, as closing a socket does. */
  close(): void {
    this.#in.close();
    this.#out.close();
  }
}

/** `[driver end, peer end]`, both past the handshake (lines up to MAX_LINE_BYTES). */
export function memoryPair(): [Connection, Connection] {
  const toPeer = new Pipe();
  const toDriver = new Pipe();
  return [
    new Connection(new MemoryConn(toDriver, toPeer, "in-process"), MAX_LINE_BYTES),
    new Connection(new MemoryConn(toPeer, toDriver, "driver"), MAX_LINE_BYTES),
  ];
}
