/**
 * The driver's peers: engines and contexts by rank, the contexts ever seen (for monitors), which
 * engines have been released, and which engines the heartbeat declares lost. Generic over the
 * connection type, so it is pure: the driver sends and closes.
 * @module
 */
import type { ContextFacts } from "./engine_summary.ts";

/** A connected engine. */
export interface EnginePeer<C> {
  rank: number;
  conn: C;
  node: string;
  /** Told to take no new work. */
  drained: boolean;
}

/** A connected context. */
export interface ContextPeer<C> {
  rank: number;
  conn: C;
  label: string;
  host: string;
  nodes: string[];
}

/** What a context says of itself when it registers. */
export interface ContextRegistration {
  label?: string;
  /** `Slurm` for a Slurm context (labels `J<rank>`), else SSH or local (`SSH<rank>`). */
  sysid?: string;
  host: string;
  nodes: string[];
}

/** What the heartbeat does: engines silent past the timeout are lost, the others are pinged. */
export interface HeartbeatVerdict<C> {
  lost: { peer: EnginePeer<C>; silentFor: number }[];
  ping: EnginePeer<C>[];
}

/** Peers of one run (see module doc). */
export class PeerRegistry<C> {
  readonly engines = new Map<number, EnginePeer<C>>();
  readonly contexts = new Map<number, ContextPeer<C>>();
  readonly #seen = new Map<number, Omit<ContextFacts, "connected">>();
  #nextEngine = 0;
  #nextContext = 0;

  /** Registers an engine under the next rank. */
  addEngine(conn: C, node: string): EnginePeer<C> {
    const peer = { rank: this.#nextEngine++, conn, node, drained: false };
    this.engines.set(peer.rank, peer);
    return peer;
  }

  /** Registers a context under the next rank. */
  addContext(conn: C, r: ContextRegistration): ContextPeer<C> {
    const rank = this.#nextContext++;
    const label = r.label || `${r.sysid === "Slurm" ? "J" : "SSH"}${rank}`;
    const peer = { rank, conn, label, host: r.host, nodes: r.nodes };
    this.contexts.set(rank, peer);
    this.#seen.set(rank, { rank, label, host: r.host, nodes: r.nodes });
    return peer;
  }

  /** Marks an engine released; false when it was already. */
  drain(p: EnginePeer<C>): boolean {
    if (p.drained) return false;
    p.drained = true;
    return true;
  }

  /** Every context ever registered, and whether it is connected now. */
  contextList(): ContextFacts[] {
    const out: ContextFacts[] = [];
    for (const c of this.#seen.values()) out.push({ ...c, connected: this.contexts.has(c.rank) });
    return out;
  }

  /**
   * The heartbeat at time `t` (seconds): engines last heard (`lastHeard(rank)`) longer than
   * `timeoutS` ago are lost; an engine unknown to `lastHeard` is pinged.
   */
  heartbeat(
    t: number,
    timeoutS: number,
    lastHeard: (rank: number) => number | undefined,
  ): HeartbeatVerdict<C> {
    const out: HeartbeatVerdict<C> = { lost: [], ping: [] };
    for (const peer of this.engines.values()) {
      const heard = lastHeard(peer.rank);
      if (heard !== undefined && t - heard > timeoutS) {
        out.lost.push({ peer, silentFor: t - heard });
      } else out.ping.push(peer);
    }
    return out;
  }
}
