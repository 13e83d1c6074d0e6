import assert from "node:assert/strict";
import { ProtocolError, UnknownMessageError } from "./protocol_error.ts";
import {
  arrayOf,
  boolean,
  direction,
  int,
  json,
  nullable,
  number,
  object,
  oneOf,
  optional,
  positive,
  string,
} from "./wire_schema.ts";

Deno.test("kinds accept their values and refuse the others", () => {
  const cases: [string, { misfit(v: unknown): unknown }, unknown[], unknown[]][] = [
    ["string", string, ["", "x"], [1, null, [], {}, true]],
    ["number", number, [0, -1.5, 1e300], ["1", null, true, []]],
    ["int", int, [0, -124, 2 ** 40], [1.5, "1", null, NaN]],
    ["positive", positive, [0.001, 3600], [0, -1, "5", null]],
    ["boolean", boolean, [true, false], [0, "true", null]],
    ["json", json, [null, 0, "", [], {}], []],
    ["oneOf", oneOf("N", "START"), ["N", "START"], ["STOP", "n", 1, null]],
    ["nullable", nullable(int), [null, 3], [1.5, "3"]],
    ["arrayOf", arrayOf(int), [[], [1, 2]], [[1, "2"], "12", null, {}]],
    ["object", object({ a: int, b: optional(string) }), [{ a: 1 }, { a: 1, b: "", c: 0 }], [
      {},
      { a: "1" },
      { a: 1, b: 2 },
      [],
      null,
    ]],
  ];
  for (const [name, kind, good, bad] of cases) {
    for (const v of good) assert.equal(kind.misfit(v), null, `${name} accepts ${String(v)}`);
    for (const v of bad) assert.notEqual(kind.misfit(v), null, `${name} refuses ${String(v)}`);
  }
});

const demo = direction("demo", {
  task: { id: int, timeout: optional(positive), cmd: optional(string) },
  state: { state: object({ engines: arrayOf(object({ rank: int, tags: arrayOf(string) })) }) },
  ping: {},
}, { task: (m) => m.cmd === undefined ? "needs cmd" : null });

Deno.test("a decoded message is the received object itself, unknown fields kept", () => {
  const raw = { t: "task", id: 3, cmd: "true", later: { x: 1 } };
  const m = demo.decode(raw);
  assert.equal(m, raw);
  assert.equal(m.t === "task" && m.timeout, undefined);
});

function refusal(raw: unknown): ProtocolError {
  try {
    demo.decode(raw);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

Deno.test("refusals name the direction, the message type and the field", () => {
  const missing = refusal({ t: "task", cmd: "x" });
  assert.equal(missing.message, 'demo: message "task": field id is missing');
  assert.deepEqual([missing.messageType, missing.field], ["task", "id"]);

  const wrong = refusal({ t: "task", id: 1.5, cmd: "x" });
  assert.equal(wrong.message, 'demo: message "task": field id must be an integer');

  const optionalWrong = refusal({ t: "task", id: 1, timeout: 0, cmd: "x" });
  assert.equal(optionalWrong.field, "timeout");
  // null is a value, not an absent field.
  assert.equal(refusal({ t: "task", id: 1, timeout: null, cmd: "x" }).field, "timeout");

  const nested = refusal({ t: "state", state: { engines: [{ rank: 0, tags: [] }, { rank: 1 }] } });
  assert.equal(nested.field, "state.engines[1].tags");
  assert.equal(nested.message, 'demo: message "state": field state.engines[1].tags is missing');
  const deep = refusal({ t: "state", state: { engines: [{ rank: 0, tags: ["a", 2] }] } });
  assert.equal(
    deep.message,
    'demo: message "state": field state.engines[0].tags[1] must be a string',
  );

  const refined = refusal({ t: "task", id: 1 });
  assert.equal(refined.message, 'demo: message "task": needs cmd');
  assert.equal(refined.messageType, "task");
});

Deno.test("unknown types, missing types and non-objects are refused", () => {
  const unknown = refusal({ t: "tsak", id: 1 });
  assert.ok(unknown instanceof UnknownMessageError);
  assert.equal(unknown.message, 'demo: unknown message type "tsak"');
  assert.equal(unknown.messageType, "tsak");
  // A huge type name is not echoed whole.
  assert.ok(refusal({ t: "x".repeat(100_000) }).message.length < 200);
  // Names of Object.prototype are not message types.
  assert.ok(refusal({ t: "constructor" }) instanceof UnknownMessageError);
  assert.equal(refusal({ id: 1 }).message, 'demo: a message must have a string field "t"');
  assert.equal(refusal({ t: 1 }).field, "t");
  for (const v of [null, 1, "ping", [], [{ t: "ping" }]]) {
    const e = refusal(v);
    assert.equal(e.message, "demo: a message must be a JSON object");
    assert.ok(!(e instanceof UnknownMessageError));
  }
});
