/**
 * A FIFO queue with O(1) push and shift (Array#shift is O(n) on large arrays).
 * @module
 */

/** Queue of items in arrival order. */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Puts an item at the front (it is taken next). */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** Looks at the front item. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the front item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Reclaim the dead prefix once it dominates, keeping amortised O(1).
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
