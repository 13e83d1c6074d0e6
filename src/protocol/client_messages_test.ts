import assert from "node:assert/strict";
import { assertDirection } from "./assert_direction.ts";
import { clientToDriver, decodeClientToDriver, driverToClient } from "./client_messages.ts";
import { UnknownMessageError } from "./protocol_error.ts";
import { sampleRunState, sampleTaskResult } from "./wire_samples.ts";

Deno.test("client → driver: every request decodes; broken ones are ProtocolErrors", () => {
  assertDirection(clientToDriver, [
    { t: "submit", ref: 1, lines: ["echo a", "#DISBATCH REPEAT 2 echo b"] },
    { t: "submit", lines: [], results: false },
    { t: "end_stream", ref: { any: ["json"] } },
    { t: "end_stream" },
    { t: "snapshot" },
    { t: "watch" },
    { t: "stop", engine: 1, ref: 2 },
    { t: "stop", context: 0 },
    { t: "wait" },
    { t: "ping" },
    { t: "bye" },
  ]);
});

Deno.test("driver → client: every message decodes; broken ones are ProtocolErrors", () => {
  const ids = [{ first: 0, next: 1, line: 1 }, { first: 1, next: 3, line: 2 }];
  assertDirection(driverToClient, [
    { t: "accepted", ref: 1, ids },
    { t: "accepted", ref: null, ids: [] },
    { t: "rejected", ref: 2, message: "<stream>:4: unknown #DISBATCH directive", accepted: ids },
    { t: "rejected", ref: null, message: "this run does not accept submissions now" },
    { t: "ack", ok: false, ref: null },
    { t: "state", state: sampleRunState() },
    { t: "result", result: sampleTaskResult() },
    { t: "end", exitCode: 1 },
    { t: "pong" },
    { t: "error", message: "unknown request frobnicate" },
    { t: "bye" },
  ]);
});

Deno.test("an unknown request is an UnknownMessageError (the driver answers `error`)", () => {
  assert.throws(() => decodeClientToDriver({ t: "frobnicate" }), UnknownMessageError);
  // A known request with a bad field is not.
  assert.throws(
    () => decodeClientToDriver({ t: "submit", lines: "echo a" }),
    (e) => !(e instanceof UnknownMessageError) && (e as Error).name === "ProtocolError",
  );
});
