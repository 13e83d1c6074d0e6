/**
 * When to run the retire command (spec §9.7, §9.4.4). SSH contexts retire each node at once, on
 * its own. Slurm contexts batch: a batch runs once no engine has exited for 10 s, so a wave of
 * exits costs one `scontrol update`. Once the node hosting the context exits it becomes
 * `DRIVER_NODE` for this and every later batch, so the default command never releases it.
 * Unlike the original, what is still pending when the context ends is flushed (bug B17).
 * @module
 */
import { shortHostName } from "../net/connect.ts";
import { after, type Timer } from "../time/timer.ts";

/** One run of the retire command. */
export interface RetireBatch {
  /** Nodes retired by this batch, in exit order. */
  nodes: string[];
  /** Their engines' exit codes, same order. */
  codes: number[];
  /** Nodes whose engines still run. */
  active: string[];
  /** Every node of the context whose engine has exited so far. */
  retired: string[];
  /** The context's own node once it has exited (Slurm), else null. */
  driverNode: string | null;
}

/** Options of {@link RetireThrottle}. */
export interface RetireThrottleOptions {
  /** Every node whose engine was started. */
  nodes: string[];
  /** Quiet time before a batch runs; 0 runs each exit on its own at once. */
  quietMs: number;
  /** Short host name of the context process (DRIVER_NODE rule), or null for no such rule. */
  contextHost: string | null;
  /** Runs one batch; batches never overlap. Must not reject. */
  run: (batch: RetireBatch) => Promise<void>;
}

/** The environment the retire command gets for `b`. */
export function retireEnv(b: RetireBatch): Record<string, string> {
  const env: Record<string, string> = {
    NODES: b.nodes.join(","),
    RETCODES: b.codes.join(","),
    ACTIVE: b.active.join(","),
    RETIRED: b.retired.join(","),
  };
  if (b.driverNode !== null) env.DRIVER_NODE = b.driverNode;
  return env;
}

/** Collects engine exits into retire batches. */
export class RetireThrottle {
  readonly #opts: RetireThrottleOptions;
  readonly #active: Set<string>;
  readonly #retired: string[] = [];
  #pending: { node: string; code: number }[] = [];
  #driverNode: string | null = null;
  #timer: Timer | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(opts: RetireThrottleOptions) {
    this.#opts = opts;
    this.#active = new Set(opts.nodes);
  }

  /** Records that the engine on `node` exited with `code`. */
  exited(node: string, code: number): void {
    this.#active.delete(node);
    this.#retired.push(node);
    this.#pending.push({ node, code });
    const host = this.#opts.contextHost;
    if (host !== null && shortHostName(node) === host) this.#driverNode = node;
    this.#timer?.cancel();
    // A cheap timer (src/time/timer.ts): the context's other engines keep the process alive,
    // and flush() releases what is left once the last one has exited.
    if (this.#opts.quietMs <= 0) this.#release();
    else this.#timer = after(this.#opts.quietMs, () => this.#release());
  }

  /** Runs whatever is pending now and resolves once every batch has run. */
  async flush(): Promise<void> {
    this.#timer?.cancel();
    this.#release();
    await this.#chain;
  }

  #release(): void {
    if (this.#pending.length === 0) return;
    const batch: RetireBatch = {
      nodes: this.#pending.map((p) => p.node),
      codes: this.#pending.map((p) => p.code),
      active: [...this.#active],
      retired: [...this.#retired],
      driverNode: this.#driverNode,
    };
    this.#pending = [];
    this.#chain = this.#chain.then(() => this.#opts.run(batch));
  }
}
