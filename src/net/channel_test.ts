import assert from "node:assert/strict";
import { Channel } from "./channel.ts";
import { closePair, loopbackPair } from "./loopback_pair.ts";
import { CONTEXT_SIDE, DRIVER_CONTEXT_SIDE } from "../protocol/context_messages.ts";
import { CLIENT_SIDE, DRIVER_CLIENT_SIDE } from "../protocol/client_messages.ts";
import { ProtocolError, UnknownMessageError } from "../protocol/protocol_error.ts";

Deno.test("a channel delivers decoded messages and sends typed ones", async () => {
  const [driverEnd, contextEnd, l] = await loopbackPair("context");
  const driver = new Channel(driverEnd, DRIVER_CONTEXT_SIDE);
  const context = new Channel(contextEnd, CONTEXT_SIDE);
  const got: unknown[] = [];
  const exited = Promise.withResolvers<void>();
  driver.attach({
    message: (m) => {
      got.push(m);
      if (m.t === "engine_exit") exited.resolve();
    },
    closed: () => {},
  });
  context.send({ t: "engine_exit", node: "a", code: 3 });
  await exited.promise;
  assert.deepEqual(got, [{ t: "engine_exit", node: "a", code: 3 }]);
  driver.send({ t: "engine_lost", node: "a", pid: 12 });
  assert.deepEqual(await context.next(5_000), { t: "engine_lost", node: "a", pid: 12 });
  await closePair(l, driverEnd, contextEnd);
});

Deno.test("a message that does not decode: bye with the reason, closed with the ProtocolError", async () => {
  const [driverEnd, contextEnd, l] = await loopbackPair("context");
  const driver = new Channel(driverEnd, DRIVER_CONTEXT_SIDE);
  const delivered: string[] = [];
  const closed = Promise.withResolvers<Error | undefined>();
  driver.attach({ message: (m) => delivered.push(m.t), closed: closed.resolve });
  // Raw sends: what a broken peer might write. Nothing after the bad one is delivered.
  contextEnd.send({ t: "engine_exit", node: "a", code: 0 });
  contextEnd.send({ t: "engine_exit", node: "a", code: "0" });
  contextEnd.send({ t: "engine_exit", node: "b", code: 0 });
  const error = await closed.promise;
  assert.ok(error instanceof ProtocolError);
  assert.equal(
    error.message,
    'context → driver: message "engine_exit": field code must be an integer',
  );
  assert.deepEqual(delivered, ["engine_exit"]);
  // The peer was told why.
  const seen: Record<string, unknown>[] = [];
  for (let m; (m = await contextEnd.next(5_000)) !== null;) seen.push(m);
  assert.deepEqual(seen, [{ t: "bye", reason: error.message }]);
  assert.ok(driver.isClosed);
  await closePair(l, driverEnd, contextEnd);
});

Deno.test("next() throws the ProtocolError and closes; an unknown type is one too", async () => {
  const [driverEnd, contextEnd, l] = await loopbackPair("context");
  const context = new Channel(contextEnd, CONTEXT_SIDE);
  driverEnd.send({ t: "ctx_welcome", rank: 0 });
  await assert.rejects(context.next(5_000), UnknownMessageError);
  await contextEnd.done;
  assert.ok(context.isClosed);
  await closePair(l, driverEnd, contextEnd);
});

Deno.test("with an `unknown` callback, an unknown type is answered and the channel stays", async () => {
  const [driverEnd, clientEnd, l] = await loopbackPair("client");
  const driver = new Channel(driverEnd, DRIVER_CLIENT_SIDE);
  const client = new Channel(clientEnd, CLIENT_SIDE);
  driver.attach({
    message: (m) => {
      if (m.t === "ping") driver.send({ t: "pong" });
    },
    unknown: (e) => driver.send({ t: "error", message: `unknown request ${e.messageType}` }),
    closed: () => {},
  });
  clientEnd.send({ t: "frobnicate" });
  client.send({ t: "ping" });
  assert.deepEqual(await client.next(5_000), { t: "error", message: "unknown request frobnicate" });
  assert.deepEqual(await client.next(5_000), { t: "pong" });
  await closePair(l, driverEnd, clientEnd);
});
