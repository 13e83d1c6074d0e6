/**
 * Runs a callback after a turn of the event loop (its timers, sockets and signals), for about
 * 5 µs of CPU: a message to oneself on a MessageChannel. Not setImmediate, which loads Deno's
 * Node layer (12 ms) on first use, which the start-up path must not; not setTimeout(0), which
 * costs 40 µs and a millisecond or two of wall time.
 *
 * An open port keeps the process alive and is a resource the test sanitizers see: the port is
 * made at the first {@link LoopTurns.next} and released by {@link LoopTurns.close}, so that it
 * is open only while turns are wanted.
 * @module
 */

/** A callback run after each requested turn of the event loop. */
export class LoopTurns {
  readonly #run: () => void;
  #channel: MessageChannel | null = null;

  /** `run` is called once per {@link next}, after a turn of the event loop. */
  constructor(run: () => void) {
    this.#run = run;
  }

  /** Asks for one call of the callback after the event loop's next turn. */
  next(): void {
    let channel = this.#channel;
    if (channel === null) {
      const made = new MessageChannel();
      // Messages delivered by close() (see there) find another channel, or none: ignored.
      made.port1.onmessage = () => {
        if (this.#channel === made) this.#run();
      };
      this.#channel = channel = made;
    }
    channel.port2.postMessage(null);
  }

  /** Releases the port; calls asked for and not made yet are dropped. */
  close(): void {
    const channel = this.#channel;
    if (channel === null) return;
    // First: Deno's close() delivers the messages still queued, at once.
    this.#channel = null;
    channel.port1.close();
    channel.port2.close();
  }
}
