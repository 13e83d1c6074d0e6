/**
 * The driver's TCP endpoint: accepts connections, runs the handshake on each with a deadline,
 * and hands authenticated peers to the owner. A peer that fails the handshake is dropped and
 * reported; it never disturbs the run. Running out of descriptors (EMFILE, ENFILE) pauses
 * accepting, never ends it: connections wait in the kernel's backlog until descriptors free up.
 * @module
 */
import { isOutOfDescriptors } from "../os/errno.ts";
import { after, type Timer } from "../time/timer.ts";
import type { Role } from "../protocol/messages.ts";
import { MAX_LINE_BYTES } from "../protocol/ndjson.ts";
import { acceptHandshake, Connection } from "./connection.ts";

/** How long a new peer has to authenticate. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Peers in their handshake at once; more wait in the kernel's backlog until one is done. */
export const MAX_PENDING_HANDSHAKES = 256;

/** Pause before accepting again after running out of descriptors; it doubles at each failure… */
export const ACCEPT_RETRY_FIRST_MS = 100;
/** …up to this. */
export const ACCEPT_RETRY_MAX_MS = 2_000;

/** Options of {@link Listener}. */
export interface ListenerOptions {
  hostname: string;
  port: number;
  secret: string;
  /** An authenticated peer. */
  onPeer(role: Role, conn: Connection): void;
  /** A peer that was dropped, with the reason. */
  onReject(peer: string, error: Error): void;
  /**
   * `accept()` failed for want of descriptors (EMFILE, ENFILE): called once when a run of such
   * failures starts (not again until an accept has succeeded), with the error and the pause
   * before the next try; accepting resumes once descriptors are free. Default: ignored.
   */
  onAcceptError?(error: Error, retryInMs: number): void;
}

/** Accept loop of the driver. */
export class Listener {
  readonly #listener: Deno.TcpListener;
  readonly #opts: ListenerOptions;
  readonly #pending = new Set<Connection>();
  readonly #loop: Promise<void>;
  /** Wakes the accept loop waiting for a handshake to end. */
  #slotFreed: (() => void) | undefined;
  #closed = false;
  /** The pause after a failed accept, and how to end it early (on close). */
  #retry: { timer: Timer; wake(): void } | undefined;

  constructor(opts: ListenerOptions) {
    this.#opts = opts;
    this.#listener = Deno.listen({ hostname: opts.hostname, port: opts.port });
    this.#loop = this.#accept();
  }

  /** The bound address (port resolved when 0 was asked). */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** Stops accepting and drops peers still in their handshake. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#retry?.timer.cancel();
    this.#retry?.wake();
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    for (const c of this.#pending) c.close();
    await this.#loop;
    await Promise.all([...this.#pending].map((c) => c.done));
  }

  async #accept(): Promise<void> {
    /** The last pause after running out of descriptors; 0 once an accept succeeded. */
    let pauseMs = 0;
    for (;;) {
      // Backpressure instead of refusal: a thousand engines of a large allocation connect within
      // the same second, and a refused engine is a lost node. Past the limit the next peers wait
      // in the kernel's backlog (their connect has succeeded; they wait for our hello) until a
      // handshake ends — each has a deadline, so a flood of silent peers delays, never blocks.
      while (this.#pending.size >= MAX_PENDING_HANDSHAKES) {
        await new Promise<void>((r) => this.#slotFreed = r);
      }
      let raw: Deno.TcpConn;
      try {
        raw = await this.#listener.accept();
      } catch (e) {
        if (this.#closed || !isOutOfDescriptors(e)) return; // listener closed
        // The connection stays in the backlog, so retrying at once would spin: pause.
        if (pauseMs === 0) {
          pauseMs = ACCEPT_RETRY_FIRST_MS;
          this.#opts.onAcceptError?.(e as Error, pauseMs);
        } else {
          pauseMs = Math.min(2 * pauseMs, ACCEPT_RETRY_MAX_MS);
        }
        await this.#pause(pauseMs);
        if (this.#closed) return;
        continue;
      }
      pauseMs = 0;
      const c = new Connection(raw);
      this.#pending.add(c);
      acceptHandshake(c, this.#opts.secret, HANDSHAKE_TIMEOUT_MS, MAX_LINE_BYTES).then(
        (role) => {
          this.#settled(c);
          this.#opts.onPeer(role, c);
        },
        (error: Error) => {
          this.#settled(c);
          c.close();
          this.#opts.onReject(c.peer, error);
        },
      );
    }
  }

  /** Resolves after `ms`, or at once when the listener closes. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#retry = undefined;
        resolve();
      };
      this.#retry = { timer: after(ms, wake), wake };
    });
  }

  #settled(c: Connection): void {
    this.#pending.delete(c);
    this.#slotFreed?.();
    this.#slotFreed = undefined;
  }
}
