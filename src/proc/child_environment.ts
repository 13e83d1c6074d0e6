/**
 * The environment block (`envp`) of a child started through FFI: this process's environment,
 * then a base set shared by many spawns, then the spawn's own variables, as `K=V` bytes.
 * @module
 */

/** A `baseEnv` with this process's environment, encoded for reuse. */
interface PreparedEnv {
  /** Inherited variables that `baseEnv` does not name. */
  inherited: Map<string, string>;
  /** Their `K=V` encodings, in order. */
  head: Uint8Array[];
  /** The names of `baseEnv`, in order, and their `K=V` encodings. */
  keys: string[];
  tail: Uint8Array[];
}

const encoder = new TextEncoder();

/**
 * Builds environment blocks, keeping the encoding of each base set: rebuilding it for every
 * spawn was a fifth of a trivial task's cost on the main thread.
 */
export class ChildEnvironment {
  /** Per `base` object: the environment it stands for, encoded once. */
  readonly #prepared = new WeakMap<object, PreparedEnv>();

  /**
   * The `K=V` entries of a child's environment: this process's variables (those neither `base`
   * nor `extra` names), then `base`'s in its order (replaced in place by `extra`'s value of the
   * same name), then `extra`'s other names. Without `base`, this process's environment is read
   * now; with it, as it was when that `base` object was first seen: the same object must come
   * back unchanged.
   */
  entries(
    base: Readonly<Record<string, string>> | undefined,
    extra: Record<string, string>,
  ): Uint8Array[] {
    const items: Uint8Array[] = [];
    this.write(base, extra, {
      add: (bytes) => items.push(bytes),
      addPair: (name, value) => items.push(encoder.encode(`${name}=${value}`)),
    });
    return items;
  }

  /**
   * The same entries, given one by one to `sink` (a spawn's {@link StringArrayBuilder}): those of
   * a base set as encoded at its first use, the task's own as text.
   */
  write(
    base: Readonly<Record<string, string>> | undefined,
    extra: Record<string, string>,
    sink: EntrySink,
  ): void {
    if (base === undefined) {
      for (const e of current(extra)) sink.add(e);
      return;
    }
    let p = this.#prepared.get(base);
    if (p === undefined) {
      const inherited = new Map(Object.entries(Deno.env.toObject()));
      const keys = Object.keys(base);
      for (const k of keys) inherited.delete(k);
      p = {
        inherited,
        head: [...inherited].map(([k, v]) => encoder.encode(`${k}=${v}`)),
        keys,
        tail: keys.map((k) => encoder.encode(`${k}=${base[k]}`)),
      };
      this.#prepared.set(base, p);
    }
    let head = p.head;
    for (const k in extra) {
      if (Object.hasOwn(base, k) || !p.inherited.has(k)) continue;
      // Rare: `extra` replaces an inherited variable that `base` does not name.
      head = [...p.inherited].filter(([name]) => !Object.hasOwn(extra, name))
        .map(([name, v]) => encoder.encode(`${name}=${v}`));
      break;
    }
    for (let i = 0; i < head.length; i++) sink.add(head[i]);
    for (let i = 0; i < p.keys.length; i++) {
      const k = p.keys[i];
      if (Object.hasOwn(extra, k)) sink.addPair(k, extra[k]);
      else sink.add(p.tail[i]);
    }
    for (const k in extra) {
      if (Object.hasOwn(extra, k) && !Object.hasOwn(base, k)) sink.addPair(k, extra[k]);
    }
  }
}

/** Where {@link ChildEnvironment.write} puts the entries. */
export interface EntrySink {
  /** An entry already encoded (the caller's own bytes, possibly cached: never changed). */
  add(bytes: Uint8Array): void;
  /** The entry `name=value`, to be UTF-8 encoded. */
  addPair(name: string, value: string): void;
}

/** This process's environment (read now: it may have changed) with `extra` on top. */
function current(extra: Record<string, string>): Uint8Array[] {
  const items: Uint8Array[] = [];
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!Object.hasOwn(extra, k)) items.push(encoder.encode(`${k}=${v}`));
  }
  for (const [k, v] of Object.entries(extra)) items.push(encoder.encode(`${k}=${v}`));
  return items;
}
