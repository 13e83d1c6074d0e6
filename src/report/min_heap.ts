/**
 * A binary min-heap of (key, value) number pairs, for the lane packing.
 * @module
 */

/** Min-heap ordered by key, then value. */
export class MinHeap {
  readonly #keys: number[] = [];
  readonly #values: number[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** The smallest key; undefined when empty. */
  peekKey(): number | undefined {
    return this.#keys[0];
  }

  push(key: number, value: number): void {
    const k = this.#keys, v = this.#values;
    let i = k.length;
    k.push(key);
    v.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  /** Removes the smallest pair and returns its value; undefined when empty. */
  pop(): number | undefined {
    const k = this.#keys, v = this.#values;
    if (k.length === 0) return undefined;
    const top = v[0];
    const lastK = k.pop()!, lastV = v.pop()!;
    if (k.length > 0) {
      k[0] = lastK;
      v[0] = lastV;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < k.length && this.#less(l, m)) m = l;
        if (r < k.length && this.#less(r, m)) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const k = this.#keys;
    return k[a] < k[b] || (k[a] === k[b] && this.#values[a] < this.#values[b]);
  }

  #swap(a: number, b: number): void {
    const k = this.#keys, v = this.#values;
    [k[a], k[b]] = [k[b], k[a]];
    [v[a], v[b]] = [v[b], v[a]];
  }
}
