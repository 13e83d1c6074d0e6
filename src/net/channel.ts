/**
 * A {@link Connection} typed by the role of its two ends: what arrives is decoded into the
 * receiving direction's message union (src/protocol/*_messages.ts), and only messages of the
 * sending direction can be sent. A message that does not decode is a protocol error on that
 * connection: the peer gets `bye` with the reason, the connection is closed, and the handler's
 * `closed` receives the ProtocolError. Nothing is ever cast.
 * @module
 */
import type { Connection } from "./connection.ts";
import { ProtocolError, UnknownMessageError } from "../protocol/protocol_error.ts";
import type { MessageOf, MessageShapes, Side } from "../protocol/wire_schema.ts";

/** Receives what arrives on a {@link Channel}. */
export interface ChannelHandler<In> {
  message(m: In): void;
  /**
   * Called once, when the connection is gone; `error` is set when it ended abnormally: a
   * ProtocolError when the peer broke the protocol.
   */
  closed(error?: Error): void;
  /**
   * A message of a type the receiving direction does not have. With this callback the channel
   * stays open (the callback answers); without it, that is a protocol error like the others.
   */
  unknown?(error: UnknownMessageError): void;
}

/** One end of a connection: receives `In` messages, sends `Out` ones. */
export class Channel<In extends MessageShapes, Out extends MessageShapes> {
  /** The untyped connection underneath (for identity and addresses). */
  readonly conn: Connection;
  readonly #side: Side<In, Out>;
  /** Set once the peer broke the protocol: nothing after it is delivered. */
  #broken: ProtocolError | null = null;

  constructor(conn: Connection, side: Side<In, Out>) {
    this.conn = conn;
    this.#side = side;
  }

  /** Remote address as text, for logs. */
  get peer(): string {
    return this.conn.peer;
  }

  /** True once closed by either side. */
  get isClosed(): boolean {
    return this.conn.isClosed;
  }

  /** Resolves when the connection's read loop has ended and the socket is closed. */
  get done(): Promise<void> {
    return this.conn.done;
  }

  /** Queues one message; never throws (a dead peer is reported through `closed`). */
  send(message: MessageOf<Out>): void {
    this.conn.send(message);
  }

  /** Sends `bye` and closes once everything queued is written. */
  bye(reason?: string): Promise<void> {
    return this.conn.bye(reason);
  }

  /** Resolves when the write queue is empty (or the connection closed). */
  drained(): Promise<void> {
    return this.conn.drained();
  }

  /** Closes the socket now. */
  close(): void {
    this.conn.close();
  }

  /** Delivers all further messages (and any already received), decoded, to `handler`. */
  attach(handler: ChannelHandler<MessageOf<In>>): void {
    const decode = this.#side.incoming.decode;
    this.conn.attach({
      message: (raw) => {
        if (this.#broken !== null) return;
        let m: MessageOf<In>;
        try {
          m = decode(raw);
        } catch (e) {
          if (e instanceof UnknownMessageError && handler.unknown) handler.unknown(e);
          else this.#fail(e);
          return;
        }
        handler.message(m);
      },
      closed: (error) => handler.closed(this.#broken ?? error),
    });
  }

  /**
   * Waits for the next message (registration use); null when the peer went away. Throws the
   * ProtocolError of a message that does not decode (the connection is then closed), and a
   * HandshakeError on timeout.
   */
  async next(timeoutMs: number): Promise<MessageOf<In> | null> {
    const raw = await this.conn.next(timeoutMs);
    if (raw === null) return null;
    try {
      return this.#side.incoming.decode(raw);
    } catch (e) {
      this.#fail(e);
      throw e;
    }
  }

  #fail(e: unknown): void {
    if (!(e instanceof ProtocolError)) throw e;
    this.#broken = e;
    void this.conn.bye(e.message);
  }
}

/** The channel type of one end of a connection (`ChannelOf<typeof ENGINE_SIDE>`). */
export type ChannelOf<S> = S extends Side<infer In, infer Out> ? Channel<In, Out> : never;
