/**
 * A framed, authenticated NDJSON connection over TCP. Reading is callback driven so the
 * owner reacts to each message synchronously; writes are queued and coalesced so a burst of
 * messages costs one syscall.
 * @module
 */
import { jsonLine, NdjsonDecoder } from "../protocol/ndjson.ts";
import { PROTOCOL_VERSION, type Role } from "../protocol/messages.ts";
import {
  type DriverHandshake,
  driverHandshake,
  type PeerHandshake,
  peerHandshake,
} from "../protocol/handshake_messages.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { after } from "../time/timer.ts";
import { errorMessage } from "../log/error_message.ts";

/** Cap on lines before authentication: a stranger gets no large buffers. */
const PREAUTH_MAX_LINE = 4096;

const encoder = new TextEncoder();

/** The handshake failed: wrong secret, wrong version, garbage or silence. */
export class HandshakeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandshakeError";
  }
}

/** Receives what arrives on a {@link Connection}. */
export interface ConnectionHandler {
  message(msg: Record<string, unknown>): void;
  /** Called once, when the connection is gone; `error` is set when it ended abnormally. */
  closed(error?: Error): void;
}

/** What a {@link Connection} needs of its byte stream: a TCP socket, or a memory pair's end. */
export type ByteConn = Pick<Deno.Conn, "read" | "write" | "close" | "remoteAddr">;

/** One peer. */
export class Connection {
  readonly #conn: ByteConn;
  readonly #decoder: NdjsonDecoder;
  /** Lines not written yet: a burst of messages is encoded and written at once. */
  #pending = "";
  /** While a write is under way: resolved once the pending lines are written or on close. */
  #drain: PromiseWithResolvers<void> | null = null;
  #closed = false;
  #handler: ConnectionHandler | null = null;
  #early: Record<string, unknown>[] = [];
  #waiter: ((m: Record<string, unknown> | null) => void) | null = null;
  /** Resolves when the read loop has ended and the socket is closed. */
  readonly done: Promise<void>;
  /** Remote address as text, for logs. */
  readonly peer: string;

  constructor(conn: ByteConn, maxLineBytes = PREAUTH_MAX_LINE) {
    this.#conn = conn;
    // Nagle's algorithm holds a small message back until the previous one is acknowledged, and
    // the peer delays that ACK by up to 40 ms: two messages in a row (eng_accept, pe_end) cost
    // 40 ms each time. Every message here is a complete line, written as soon as it is ready.
    const tcp = conn as Partial<Deno.TcpConn>;
    if (typeof tcp.setNoDelay === "function") {
      try {
        tcp.setNoDelay(true);
      } catch {
        // a socket that is already closed: the read loop reports it
      }
    }
    this.#decoder = new NdjsonDecoder(maxLineBytes);
    const a = conn.remoteAddr as Deno.NetAddr;
    this.peer = `${a.hostname}:${a.port}`;
    this.done = this.#readLoop();
  }

  /** True once closed by either side. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Raises the line cap (after authentication). */
  setMaxLine(bytes: number): void {
    this.#decoder.maxLineBytes = bytes;
  }

  /** Delivers all further messages (and any already received) to `handler`. */
  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
    const early = this.#early;
    this.#early = [];
    for (const m of early) handler.message(m);
    if (this.#closed) handler.closed();
  }

  /** Waits for the next message (handshake use only); null when the peer went away. */
  next(timeoutMs: number): Promise<Record<string, unknown> | null> {
    const queued = this.#early.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      // The pending read keeps the process alive while this cheap timer runs.
      const timer = after(timeoutMs, () => {
        this.#waiter = null;
        reject(new HandshakeError(`no answer from ${this.peer} within ${timeoutMs} ms`));
      });
      this.#waiter = (m) => {
        timer.cancel();
        this.#waiter = null;
        resolve(m);
      };
    });
  }

  /**
   * Joins two connections made on {@link ByteConn}s that carry no data (memory_pair.ts): from
   * then on, what one sends is handed to the other as the object it is, with no encoding, no
   * copy and no line limit, and closing either closes both. A sender must not change a message
   * once sent.
   */
  static joinInMemory(a: Connection, b: Connection): void {
    a.#memoryPeer = b;
    b.#memoryPeer = a;
  }

  /** The other end of an in-memory pair (see {@link joinInMemory}). */
  #memoryPeer: Connection | null = null;
  /** Messages handed over by the memory peer and not delivered yet. */
  #inbox: Record<string, unknown>[] = [];

  /** Delivers a memory peer's message later, as a socket's read would: never inside its send. */
  #handOver(message: Record<string, unknown>): void {
    if (this.#inbox.push(message) === 1) queueMicrotask(() => this.#deliverInbox());
  }

  #deliverInbox(): void {
    const inbox = this.#inbox;
    this.#inbox = [];
    for (const m of inbox) this.#deliver(m);
  }

  /** Queues one message; never throws (a dead peer is reported through `closed`). */
  send(message: object): void {
    if (this.#closed) return;
    if (this.#memoryPeer !== null) {
      this.#memoryPeer.#handOver(message as Record<string, unknown>);
      return;
    }
    this.#pending += jsonLine(message);
    if (this.#drain === null) {
      this.#drain = Promise.withResolvers();
      void this.#flush();
    }
  }

  /** Sends `bye` and closes once everything queued is written. */
  async bye(reason?: string): Promise<void> {
    this.send(reason ? { t: "bye", reason } : { t: "bye" });
    await this.drained();
    this.close();
  }

  /** Resolves when the write queue is empty (or the connection closed). */
  async drained(): Promise<void> {
    await this.#drain?.promise;
  }

  /** Closes the socket now. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const peer = this.#memoryPeer;
    if (peer !== null) {
      // As with a socket: what this end had not read is dropped, while the other end still
      // gets what was sent to it before the close, and then its end.
      this.#inbox = [];
      peer.#memoryPeer = null;
      this.#memoryPeer = null;
      peer.close();
    }
    // A write blocked on a peer that does not read is not cancelled by closing the socket.
    this.#drain?.resolve();
    try {
      this.#conn.close();
    } catch {
      // already closed by the runtime
    }
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0 && !this.#closed) {
        const data = encoder.encode(this.#pending);
        this.#pending = "";
        let off = 0;
        while (off < data.length) off += await this.#conn.write(data.subarray(off));
      }
    } catch {
      this.close();
    }
    this.#drain!.resolve();
    this.#drain = null;
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    let error: Error | undefined;
    try {
      while (!this.#closed) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        for (const m of this.#decoder.push(buf.subarray(0, n))) this.#deliver(m);
      }
    } catch (e) {
      if (!this.#closed) error = e instanceof Error ? e : new Error(String(e));
    }
    this.close();
    if (this.#waiter) this.#waiter(null);
    this.#handler?.closed(error);
  }

  #deliver(m: Record<string, unknown>): void {
    if (this.#waiter) this.#waiter(m);
    else if (this.#handler) this.#handler.message(m);
    else this.#early.push(m);
  }
}

async function hmacHex(secret: string, nonce: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(nonce))).toHex();
}

/** `bytes` random bytes as hex text. */
export function randomHex(bytes: number): string {
  return crypto.getRandomValues(new Uint8Array(bytes)).toHex();
}

/** A fresh per-run secret. */
export function newSecret(): string {
  return randomHex(32);
}

/** Compares two secrets in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Server side of the handshake: sends `hello` with a nonce, expects the client's `hello`
 * carrying the HMAC of that nonce. Returns the client's role, or throws {@link HandshakeError}.
 */
export async function acceptHandshake(
  c: Connection,
  secret: string,
  timeoutMs: number,
  maxLineBytes: number,
): Promise<Role> {
  const nonce = randomHex(16);
  c.send({ t: "hello", v: PROTOCOL_VERSION, nonce } satisfies DriverHandshake);
  const m = await c.next(timeoutMs);
  if (!m) throw new HandshakeError(`${c.peer} closed during the handshake`);
  if (m.t !== "hello") throw new HandshakeError(`${c.peer} did not start with hello`);
  if (m.v !== PROTOCOL_VERSION) {
    throw new HandshakeError(`${c.peer} speaks protocol ${String(m.v)}, not ${PROTOCOL_VERSION}`);
  }
  let hello: PeerHandshake;
  try {
    hello = peerHandshake.decode(m);
  } catch (e) {
    const what = e instanceof ProtocolError && e.field === "role"
      ? "announced an unknown role"
      : `sent a malformed hello (${errorMessage(e)})`;
    throw new HandshakeError(`${c.peer} ${what}`, { cause: e });
  }
  const want = await hmacHex(secret, nonce);
  if (!sameText(hello.mac, want)) throw new HandshakeError(`${c.peer} failed authentication`);
  c.setMaxLine(maxLineBytes);
  c.send({ t: "welcome", v: PROTOCOL_VERSION } satisfies DriverHandshake);
  return hello.role;
}

/** Client side of the handshake. */
export async function offerHandshake(
  c: Connection,
  secret: string,
  role: Role,
  timeoutMs: number,
  maxLineBytes: number,
): Promise<void> {
  const raw = await c.next(timeoutMs);
  if (!raw || raw.t !== "hello") throw new HandshakeError(`no hello from the driver at ${c.peer}`);
  if (raw.v !== PROTOCOL_VERSION) {
    throw new HandshakeError(
      `the driver speaks protocol ${String(raw.v)}, this program ${PROTOCOL_VERSION}`,
    );
  }
  let hello: DriverHandshake;
  try {
    hello = driverHandshake.decode(raw);
  } catch (e) {
    throw new HandshakeError(`no hello from the driver at ${c.peer}`, { cause: e });
  }
  if (hello.t !== "hello") throw new HandshakeError(`no hello from the driver at ${c.peer}`);
  const mac = await hmacHex(secret, hello.nonce);
  c.send({ t: "hello", v: PROTOCOL_VERSION, role, mac } satisfies PeerHandshake);
  c.setMaxLine(maxLineBytes);
  const w = await c.next(timeoutMs);
  if (!w || w.t !== "welcome") {
    throw new HandshakeError(`the driver at ${c.peer} refused the connection (wrong secret?)`);
  }
}
