/**
 * The driver's end of an engine's or context's connection: decoded like every {@link Channel},
 * and its first message must register the peer. Until then nothing else is delivered; a peer
 * that sends something else first, never registers, or is refused is not heard any more.
 * @module
 */
import { Channel } from "./channel.ts";
import type { Connection } from "./connection.ts";
import type { MessageOf, MessageShapes, Side } from "../protocol/wire_schema.ts";
import { after } from "../time/timer.ts";

/** What a {@link attachRegistered} connection calls. */
export interface RegisteredHandler<In extends MessageShapes, P> {
  /** The first message: the registered peer, null when refused, false if it does not register. */
  register(m: MessageOf<In>): P | null | false;
  /** A later message of a registered peer. */
  message(peer: P, m: MessageOf<In>): void;
  /** The connection of a registered peer is gone. */
  closed(peer: P): void;
  /** Why a peer was dropped, or how its connection broke (for the log). */
  warn(line: string): void;
  /** Runs each callback (the driver stops the run on a handler's exception). */
  guard(fn: () => void): void;
}

/** Attaches `h` to `conn`; a peer that has not registered within `withinMs` is dropped. */
export function attachRegistered<In extends MessageShapes, Out extends MessageShapes, P>(
  conn: Connection,
  side: Side<In, Out>,
  withinMs: number,
  h: RegisteredHandler<In, P>,
): void {
  const timer = after(withinMs, () => {
    h.warn("did not register; dropped");
    conn.close();
  });
  let peer: P | null | undefined;
  const known = (p: P | null | undefined): p is P => p !== undefined && p !== null;
  new Channel(conn, side).attach({
    message: (m) =>
      h.guard(() => {
        if (known(peer)) return h.message(peer, m);
        if (peer === null) return;
        timer.cancel();
        const r = h.register(m);
        peer = r === false ? null : r;
        if (r === false) {
          h.warn(`sent ${m.t} first; dropped`);
          conn.close();
        }
      }),
    closed: (e) => {
      if (e) h.warn(e.message);
      timer.cancel();
      const p = peer;
      if (known(p)) h.guard(() => h.closed(p));
    },
  });
}
