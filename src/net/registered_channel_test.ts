import assert from "node:assert/strict";
import { attachRegistered } from "./registered_channel.ts";
import type { Connection } from "./connection.ts";
import { closePair, loopbackPair } from "./loopback_pair.ts";
import { DRIVER_CONTEXT_SIDE } from "../protocol/context_messages.ts";

const REGISTER = { t: "ctx_register", label: "L", sysid: "SSH", host: "h", pid: 1, nodes: [] };

/** Attaches a recording handler; `accept` decides what registering returns. */
function record(conn: Connection, withinMs: number, accept: number | null) {
  const events: string[] = [];
  const closed = Promise.withResolvers<void>();
  attachRegistered(conn, DRIVER_CONTEXT_SIDE, withinMs, {
    register: (m) => {
      events.push(`register ${m.t}`);
      return m.t === "ctx_register" && accept;
    },
    message: (rank, m) => events.push(`message ${rank} ${m.t}`),
    closed: (rank) => events.push(`closed ${rank}`),
    warn: (line) => events.push(`warn ${line}`),
    guard: (fn) => fn(),
  });
  conn.done.then(() => closed.resolve());
  return { events, closed: closed.promise };
}

Deno.test("registered: the first message registers, later ones reach the peer's handler", async () => {
  const [driverEnd, ctx, l] = await loopbackPair("context");
  const r = record(driverEnd, 30_000, 0);
  ctx.send(REGISTER);
  ctx.send({ t: "engine_exit", node: "n1", code: 0 });
  await ctx.drained();
  ctx.close();
  await r.closed;
  assert.deepEqual(r.events, [
    "register ctx_register",
    "message 0 engine_exit",
    "closed 0",
  ]);
  await closePair(l, driverEnd, ctx);
});

Deno.test("registered: another message first drops the peer; a refused peer is not heard", async () => {
  const [a, ctxA, l1] = await loopbackPair("context");
  const first = record(a, 30_000, 0);
  ctxA.send({ t: "engine_exit", node: "n1", code: 0 });
  await first.closed;
  assert.deepEqual(first.events, ["register engine_exit", "warn sent engine_exit first; dropped"]);
  await closePair(l1, a, ctxA);

  const [b, ctxB, l2] = await loopbackPair("context");
  const refused = record(b, 30_000, null);
  ctxB.send(REGISTER);
  ctxB.send({ t: "engine_exit", node: "n1", code: 0 });
  await ctxB.drained();
  ctxB.close();
  await refused.closed;
  assert.deepEqual(refused.events, ["register ctx_register"]);
  await closePair(l2, b, ctxB);
});

Deno.test("registered: a peer silent past the deadline is dropped; a malformed one is told why", async () => {
  const [a, ctxA, l1] = await loopbackPair("context");
  const silent = record(a, 50, 0);
  await silent.closed;
  assert.deepEqual(silent.events, ["warn did not register; dropped"]);
  await closePair(l1, a, ctxA);

  const [b, ctxB, l2] = await loopbackPair("context");
  const bad = record(b, 30_000, 0);
  ctxB.send({ ...REGISTER, nodes: "n1" });
  assert.deepEqual(await ctxB.next(5_000), {
    t: "bye",
    reason: 'context → driver: message "ctx_register": field nodes must be an array of strings',
  });
  await bad.closed;
  assert.deepEqual(bad.events, [
    'warn context → driver: message "ctx_register": field nodes must be an array of strings',
  ]);
  await closePair(l2, b, ctxB);
});
