/**
 * Test support for the `*_messages.ts` directions: given one well-formed sample of every
 * message type, checks that each decodes (to itself), and that each way of breaking it — a
 * required field left out, any field of the wrong type, an unknown type, a non-object — is a
 * ProtocolError that names the message type and the field.
 * @module
 */
import assert from "node:assert/strict";
import { ProtocolError, UnknownMessageError } from "./protocol_error.ts";
import type { AnyDirection, AnyKind, Direction, MessageOf, MessageShapes } from "./wire_schema.ts";

/** Values tried, in order, for one that does not fit a field's kind. */
const WRONG: unknown[] = [42, "x", true, 1.5, null, [], {}, [42], -1];

function wrongValueFor(kind: AnyKind): unknown {
  return WRONG.find((v) => kind.misfit(v) !== null);
}

function assertRefused(
  d: AnyDirection,
  raw: unknown,
  want: { messageType?: string; field?: string; error?: typeof ProtocolError },
): void {
  let error: unknown;
  try {
    d.decode(raw);
  } catch (e) {
    error = e;
  }
  const what = `${d.name}: ${JSON.stringify(raw)?.slice(0, 200)}`;
  assert.ok(error instanceof (want.error ?? ProtocolError), `${what} was not refused: ${error}`);
  assert.equal(error.messageType, want.messageType, what);
  assert.equal(error.field, want.field, what);
  if (want.messageType) assert.ok(error.message.includes(`"${want.messageType}"`), error.message);
  if (want.field) assert.ok(error.message.includes(want.field), error.message);
}

/** Runs the checks of this module over `samples` (one or more per message type of `d`). */
export function assertDirection<P extends MessageShapes>(
  d: Direction<P>,
  samples: MessageOf<P>[],
): void {
  const dir: AnyDirection = d;
  const covered = new Set(samples.map((s) => s.t));
  assert.deepEqual([...covered].sort(), Object.keys(d.shapes).sort(), `${d.name}: samples`);
  for (const sample of samples) {
    const raw = JSON.parse(JSON.stringify(sample));
    assert.equal(d.decode(raw), raw, `${d.name}: ${sample.t} decodes to itself`);
    // Fields a receiver does not know are ignored.
    const extra = { ...raw, someFutureField: [1, 2] };
    assert.equal(d.decode(extra), extra);
    for (const [name, kind] of Object.entries(d.shapes[sample.t])) {
      if (!kind.optional) {
        const { [name]: _, ...without } = raw;
        assertRefused(dir, without, { messageType: sample.t, field: name });
      }
      const wrong = wrongValueFor(kind);
      if (wrong !== undefined) {
        assertRefused(dir, { ...raw, [name]: wrong }, { messageType: sample.t, field: name });
      }
    }
  }
  assertRefused(dir, { t: "no_such_message" }, {
    messageType: "no_such_message",
    error: UnknownMessageError,
  });
  assertRefused(dir, { type: "ping" }, { field: "t" });
  assertRefused(dir, { t: 7 }, { field: "t" });
  for (const notObject of [null, 3, "ping", [{ t: "ping" }]]) assertRefused(dir, notObject, {});
}
