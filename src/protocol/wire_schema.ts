/**
 * A small runtime schema for wire messages: each message type lists its fields and their kinds
 * (string, number, int, …). From one schema come the TypeScript type of the messages (derived,
 * so the two cannot drift), the validating decoder of a direction, and the field lists the
 * documentation test compares with docs/protocol.md.
 *
 * Decoding returns the received object itself once every known field checks out: no copy, no
 * allocation on the hot path (`task` and `result` messages). Fields the schema does not know
 * are left in place and ignored, as the protocol says.
 * @module
 */
import { ProtocolError, UnknownMessageError } from "./protocol_error.ts";

/** Where a value does not fit its kind: a path inside it ("" for the value itself). */
export interface Misfit {
  path: string;
  expected: string;
}

/** What every kind has, whatever the type it decodes to. */
export interface AnyKind {
  /** What the value must be, in words ("an integer"). */
  readonly expected: string;
  /** True when the field may be absent. */
  readonly optional: boolean;
  /** Null when `v` fits; else where and why it does not. */
  readonly misfit: (v: unknown) => Misfit | null;
  /** The fields of an object kind (for the documentation test). */
  readonly shape?: Shape;
  /** The kind of an array's items (for the documentation test). */
  readonly item?: AnyKind;
}

/** A field kind whose values decode to `T`. */
export interface Kind<T> extends AnyKind {
  /** Type-level only (never read): makes `Kind<T>` invariant in `T`. */
  readonly type: (t: T) => T;
}

/** The fields of an object or message, by name. */
export type Shape = Readonly<Record<string, AnyKind>>;

/** The type a kind decodes to. */
export type TypeOf<K> = K extends Kind<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & unknown;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { optional: true } ? never : K }[keyof S];

/** The object type a shape describes (optional kinds give optional properties). */
export type Infer<S extends Shape> = Simplify<
  & { -readonly [K in RequiredKeys<S>]: TypeOf<S[K]> }
  & { -readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: TypeOf<S[K]> }
>;

/**
 * The shape that describes exactly the interface `T`: the compiler checks a shape written
 * against a hand-documented interface (`const s: ShapeOf<RunState> = …`).
 */
export type ShapeOf<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? Kind<Exclude<T[K], undefined>> & Opt
    : Kind<T[K]> & Req;
};
type Opt = { readonly optional: true };
type Req = { readonly optional: false };

function kind<T>(expected: string, fits: (v: unknown) => boolean): Kind<T> & Req {
  const misfit: Misfit = { path: "", expected };
  return {
    expected,
    optional: false,
    misfit: (v) => fits(v) ? null : misfit,
    type: (t) => t,
  };
}

/** A JSON string. */
export const string: Kind<string> & Req = kind("a string", (v) => typeof v === "string");
/** A JSON number. */
export const number: Kind<number> & Req = kind("a number", (v) => typeof v === "number");
/** A JSON number without a fractional part. */
export const int: Kind<number> & Req = kind("an integer", Number.isInteger);
/** true or false. */
export const boolean: Kind<boolean> & Req = kind("a boolean", (v) => typeof v === "boolean");
/** A number above zero. */
export const positive: Kind<number> & Req = kind("a positive number", (v) => {
  return typeof v === "number" && v > 0;
});
/** Any JSON value, null included (a request's `ref`). */
export const json: Kind<unknown> & Req = kind("any JSON value", () => true);

/** One of the given strings. */
export function oneOf<const L extends readonly string[]>(...values: L): Kind<L[number]> & Req {
  const set = new Set<unknown>(values);
  return kind(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`, (v) => set.has(v));
}

/** The kind, or null. */
export function nullable<T>(k: Kind<T> & Req): Kind<T | null> & Req {
  const expected = `${k.expected} or null`;
  return { ...k, expected, misfit: (v) => v === null ? null : k.misfit(v), type: (t) => t };
}

/** The kind, or the field absent. */
export function optional<T>(k: Kind<T> & Req): Kind<T> & Opt {
  return { ...k, optional: true };
}

/** An array whose every item is of kind `item`. */
export function arrayOf<T>(item: Kind<T> & Req): Kind<T[]> & Req {
  const expected = `an array of ${item.expected.replace(/^an? /, "")}s`;
  return {
    expected,
    optional: false,
    item,
    type: (t) => t,
    misfit: (v) => {
      if (!Array.isArray(v)) return { path: "", expected };
      for (let i = 0; i < v.length; i++) {
        const m = item.misfit(v[i]);
        if (m !== null) return { path: `[${i}]${m.path}`, expected: m.expected };
      }
      return null;
    },
  };
}

/** A JSON object with (at least) the fields of `shape`. */
export function object<S extends Shape>(shape: S): Kind<Infer<S>> & Req {
  const check = fieldChecker(shape);
  const expected = "an object";
  return {
    expected,
    optional: false,
    shape,
    type: (t) => t,
    misfit: (v) => isObject(v) ? check(v) : { path: "", expected },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks the fields of one object: the first misfit, its path starting with the field. */
function fieldChecker(shape: Shape): (o: Record<string, unknown>) => Misfit | null {
  const names = Object.keys(shape);
  const kinds = names.map((n) => shape[n]);
  return (o) => {
    for (let i = 0; i < names.length; i++) {
      const v = o[names[i]];
      if (v === undefined) {
        if (kinds[i].optional) continue;
        return { path: `.${names[i]}`, expected: "present" };
      }
      const m = kinds[i].misfit(v);
      if (m !== null) return { path: `.${names[i]}${m.path}`, expected: m.expected };
    }
    return null;
  };
}

/** Message shapes by type (`t`). */
export type MessageShapes = Readonly<Record<string, Shape>>;

/** The union of the messages of a direction, discriminated by `t`. */
export type MessageOf<P extends MessageShapes> = {
  [T in keyof P & string]: Simplify<{ t: T } & Infer<P[T]>>;
}[keyof P & string];

/** Extra checks of a message type that fields alone cannot say; a text when it fails. */
export type Refinements<P extends MessageShapes> = {
  readonly [T in keyof P]?: (m: Record<string, unknown>) => string | null;
};

/** Any direction, whatever its messages (for code that only reads its shapes). */
export interface AnyDirection {
  /** For errors: "engine → driver". */
  readonly name: string;
  readonly shapes: MessageShapes;
  decode(raw: unknown): { t: string };
}

/** The messages one side may send the other, and their decoder. */
export interface Direction<P extends MessageShapes> extends AnyDirection {
  readonly shapes: P;
  /**
   * Checks `raw` (a parsed JSON line) and returns it as a message of this direction. Throws
   * {@link ProtocolError} naming the message type and field when it is not one.
   */
  decode(raw: unknown): MessageOf<P>;
}

/** A direction: the messages of `shapes`, checked by one decoder. */
export function direction<P extends MessageShapes>(
  name: string,
  shapes: P,
  refinements: Refinements<P> = {},
): Direction<P> {
  const checks = new Map<string, (o: Record<string, unknown>) => Misfit | null>();
  for (const t of Object.keys(shapes)) checks.set(t, fieldChecker(shapes[t]));
  const refine = new Map(
    Object.entries(refinements as Record<string, (m: Record<string, unknown>) => string | null>),
  );
  return {
    name,
    shapes,
    decode(raw: unknown): MessageOf<P> {
      if (!isObject(raw)) throw new ProtocolError(`${name}: a message must be a JSON object`);
      const t = raw.t;
      if (typeof t !== "string") {
        throw new ProtocolError(`${name}: a message must have a string field "t"`, { field: "t" });
      }
      const check = checks.get(t);
      if (check === undefined) {
        const shown = JSON.stringify(t.length > 64 ? `${t.slice(0, 64)}…` : t);
        throw new UnknownMessageError(`${name}: unknown message type ${shown}`, {
          messageType: t,
        });
      }
      const m = check(raw);
      if (m !== null) {
        const field = m.path.slice(1);
        const what = m.expected === "present" ? "is missing" : `must be ${m.expected}`;
        throw new ProtocolError(`${name}: message "${t}": field ${field} ${what}`, {
          messageType: t,
          field,
        });
      }
      const problem = refine.get(t)?.(raw) ?? null;
      if (problem !== null) {
        throw new ProtocolError(`${name}: message "${t}": ${problem}`, { messageType: t });
      }
      return raw as MessageOf<P>;
    },
  };
}

/** The two directions of a connection, seen from one end: what it receives, what it sends. */
export interface Side<In extends MessageShapes, Out extends MessageShapes> {
  readonly incoming: Direction<In>;
  readonly outgoing: Direction<Out>;
}

/** One end of a connection: it receives `incoming` messages and sends `outgoing` ones. */
export function side<In extends MessageShapes, Out extends MessageShapes>(
  incoming: Direction<In>,
  outgoing: Direction<Out>,
): Side<In, Out> {
  return { incoming, outgoing };
}
