/**
 * The value types of command-line options: Python's `int()`/`float()` syntax, and the range
 * disbatch accepts for each option, checked when the command line is parsed so that a bad value
 * is reported (option and value named, exit 2) before anything runs.
 * @module
 */
import { NodeListError, parseNodeList } from "../context/node_slots.ts";

/** How an option's value is read and checked. */
export interface ValueType {
  /** The base type, as in argparse's `invalid <name> value: '<arg>'`. */
  name: string;
  /** The value; undefined when the text is not of the base type. */
  parse(s: string): unknown;
  /** Why a parsed value is out of range (e.g. `must be at least 1`); null when it is fine. */
  check?(v: unknown): string | null;
}

/** Python `int(s)`: surrounding blanks, sign and digit-group underscores allowed. */
export function pyInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT_RE = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);

/** Python `float(s)`, including `inf`/`infinity`/`nan`. */
export function pyFloat(s: string): number | undefined {
  const t = s.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2].toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  return FLOAT_RE.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

/** An integer of at least `min`. */
export function intAtLeast(min: number): ValueType {
  return {
    name: "int",
    parse: pyInt,
    check: (v) => (v as number) >= min ? null : `must be an integer >= ${min}`,
  };
}

/** A finite number greater than 0 (fractions allowed). */
export const POSITIVE_NUMBER: ValueType = {
  name: "float",
  parse: pyFloat,
  check: (v) => {
    const n = v as number;
    return Number.isFinite(n) && n > 0 ? null : "must be a finite number > 0";
  },
};

/** A finite number of at least 0 (fractions allowed). */
export const NON_NEGATIVE_NUMBER: ValueType = {
  name: "float",
  parse: pyFloat,
  check: (v) => {
    const n = v as number;
    return Number.isFinite(n) && n >= 0 ? null : "must be a finite number >= 0";
  },
};

/**
 * `t`, or exactly -1: the "not given" value the driver passes to its context for `-c` and `-t`
 * (spec §8.1), which a context then inherits from the run.
 */
export function orUnset(t: ValueType): ValueType {
  return {
    ...t,
    check: (v) => v === -1 ? null : t.check?.(v) ?? null,
  };
}

/** An environment variable's name (`-E`). */
export const ENV_NAME: ValueType = {
  name: "str",
  parse: (s) => s,
  check: (v) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(v as string) ? null : "must be an environment variable name",
};

/** A context label (`-l`): it becomes part of file names, so it has no `/`. */
export const LABEL: ValueType = {
  name: "str",
  parse: (s) => s,
  check: (v) =>
    (v as string) !== "" && !(v as string).includes("/")
      ? null
      : "must be a non-empty name without '/'",
};

/** `HOST:PORT` (`--use-address`): the original crashed on a malformed one (B21). */
export const ADDRESS: ValueType = {
  name: "HOST:PORT",
  parse: (s) => {
    const parts = s.split(":");
    if (parts.length !== 2 || parts[0] === "") return undefined;
    const port = pyInt(parts[1]);
    return port !== undefined && port >= 0 && port <= 65535 ? { host: parts[0], port } : undefined;
  },
};

/**
 * A `-s` value: `HOST:N[,HOST:N...]`, each with a host name and N >= 1 slots (also the format
 * of `DISBATCH_SSH_NODELIST`).
 */
export const NODE_LIST: ValueType = {
  name: "HOST:N",
  parse: (s) => s,
  check: (v) => nodeListProblem(v as string),
};

/** Why `list` is not a valid `-s` / `DISBATCH_SSH_NODELIST` value; null when it is. */
export function nodeListProblem(list: string): string | null {
  try {
    parseNodeList(list, "localhost");
    return null;
  } catch (e) {
    if (e instanceof NodeListError) return e.message;
    throw e;
  }
}

/** A JSON array of strings (words passed on from one disbatch to another). */
export const WORDS: ValueType = {
  name: "JSON words",
  parse: (s) => {
    try {
      const v = JSON.parse(s);
      return Array.isArray(v) && v.every((w) => typeof w === "string") ? v : undefined;
    } catch {
      return undefined;
    }
  },
};
