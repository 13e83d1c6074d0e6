/**
 * Which of an engine's cores and GPUs its running tasks hold. The driver only ever sends an
 * engine tasks whose requests fit what it has free (it counts the same way), so the engine's
 * part is to pick which cores and which GPU ids: a task without a RESOURCES directive takes its
 * cylinder's own block when it is free (what every task of a run without RESOURCES does), else
 * any free cores and GPUs; a task with RESOURCES takes any free ones.
 * @module
 */

/** The cores (indices from 0) and GPU ids one running task holds. */
export interface Held {
  cores: number[];
  gpus: string[];
}

/** Free and held cores and GPUs of one engine. */
export class ResourcePool {
  readonly #coreBusy: Uint8Array;
  readonly #gpus: string[];
  readonly #gpuBusy: Uint8Array;
  #freeCores: number;
  #freeGpus: number;

  /** A pool of `cores` cores and the GPUs `gpus`, all free. */
  constructor(cores: number, gpus: string[]) {
    this.#coreBusy = new Uint8Array(cores);
    this.#gpus = gpus;
    this.#gpuBusy = new Uint8Array(gpus.length);
    this.#freeCores = cores;
    this.#freeGpus = gpus.length;
  }

  /** Cores no task holds. */
  get freeCores(): number {
    return this.#freeCores;
  }

  /** GPUs no task holds. */
  get freeGpus(): number {
    return this.#freeGpus;
  }

  /**
   * Takes cores `[firstCore, firstCore + cores)` and the GPUs at indices `[firstGpu, firstGpu +
   * gpus)` if every one is free (a cylinder's own block); null otherwise.
   */
  takeBlock(firstCore: number, cores: number, firstGpu: number, gpus: number): Held | null {
    const cb = this.#coreBusy;
    const gb = this.#gpuBusy;
    if (firstCore + cores > cb.length || firstGpu + gpus > gb.length) return null;
    for (let i = firstCore; i < firstCore + cores; i++) if (cb[i]) return null;
    for (let i = firstGpu; i < firstGpu + gpus; i++) if (gb[i]) return null;
    const held: Held = { cores: [], gpus: [] };
    for (let i = firstCore; i < firstCore + cores; i++) {
      cb[i] = 1;
      held.cores.push(i);
    }
    for (let i = firstGpu; i < firstGpu + gpus; i++) {
      gb[i] = 1;
      held.gpus.push(this.#gpus[i]);
    }
    this.#freeCores -= cores;
    this.#freeGpus -= gpus;
    return held;
  }

  /** Takes any `cores` free cores and `gpus` free GPUs (lowest first); null if too few are free. */
  take(cores: number, gpus: number): Held | null {
    if (cores > this.#freeCores || gpus > this.#freeGpus) return null;
    const held: Held = { cores: [], gpus: [] };
    const cb = this.#coreBusy;
    for (let i = 0; i < cb.length && held.cores.length < cores; i++) {
      if (cb[i]) continue;
      cb[i] = 1;
      held.cores.push(i);
    }
    const gb = this.#gpuBusy;
    for (let i = 0; i < gb.length && held.gpus.length < gpus; i++) {
      if (gb[i]) continue;
      gb[i] = 1;
      held.gpus.push(this.#gpus[i]);
    }
    this.#freeCores -= cores;
    this.#freeGpus -= gpus;
    return held;
  }

  /** Gives back what a task held. */
  give(held: Held): void {
    for (const c of held.cores) this.#coreBusy[c] = 0;
    for (const id of held.gpus) {
      const i = this.#gpus.indexOf(id);
      if (i >= 0) this.#gpuBusy[i] = 0;
    }
    this.#freeCores += held.cores.length;
    this.#freeGpus += held.gpus.length;
  }
}
