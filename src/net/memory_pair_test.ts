import assert from "node:assert/strict";
import { memoryPair } from "./memory_pair.ts";
import { MAX_LINE_BYTES } from "../protocol/ndjson.ts";

Deno.test("a memory pair carries messages both ways, in order, a large one whole", async () => {
  const [driver, peer] = memoryPair();
  const got: unknown[] = [];
  const three = Promise.withResolvers<void>();
  driver.attach({
    message: (m) => {
      got.push(m);
      if (got.length === 3) three.resolve();
    },
    closed: () => {},
  });
  const big = "x".repeat(100_000); // more than one 16 KiB read
  peer.send({ t: "a" });
  peer.send({ t: "b", big });
  peer.send({ t: "c" });
  await three.promise;
  assert.deepEqual(got, [{ t: "a" }, { t: "b", big }, { t: "c" }]);
  driver.send({ t: "ping" });
  assert.deepEqual(await peer.next(1_000), { t: "ping" });
  driver.close();
  await Promise.all([driver.done, peer.done]);
});

Deno.test("a memory pair: bye arrives before the close; the other end sees it closed", async () => {
  const [driver, peer] = memoryPair();
  const seen: string[] = [];
  const closed = Promise.withResolvers<Error | undefined>();
  driver.attach({ message: (m) => seen.push(String(m.t)), closed: closed.resolve });
  await peer.bye("done");
  assert.equal(await closed.promise, undefined, "an orderly end, not an error");
  assert.deepEqual(seen, ["bye"]);
  assert.ok(driver.isClosed && peer.isClosed);
  // Sending on a closed pair is dropped, as on a closed socket.
  driver.send({ t: "ping" });
  peer.send({ t: "pong" });
  await Promise.all([driver.done, peer.done]);
});

Deno.test("a memory pair hands over the object itself, never inside send, with no line limit", async () => {
  const [driver, peer] = memoryPair();
  const got: unknown[] = [];
  let inSend = false;
  const arrived = Promise.withResolvers<void>();
  driver.attach({
    message: (m) => {
      assert.ok(!inSend, "delivered inside send()");
      got.push(m);
      arrived.resolve();
    },
    closed: () => {},
  });
  const big = { t: "x", big: "y".repeat(MAX_LINE_BYTES + 1) };
  inSend = true;
  peer.send(big);
  inSend = false;
  assert.equal(got.length, 0);
  await arrived.promise;
  assert.equal(got[0], big, "the same object, not a copy");
  peer.close();
  await Promise.all([driver.done, peer.done]);
});

Deno.test("a memory pair: what was sent before a close arrives before the end; the closer drops what it had not read", async () => {
  const [driver, peer] = memoryPair();
  const seenByDriver: string[] = [];
  const seenByPeer: string[] = [];
  const driverClosed = Promise.withResolvers<void>();
  const peerClosed = Promise.withResolvers<void>();
  driver.attach({
    message: (m) => seenByDriver.push(String(m.t)),
    closed: () => driverClosed.resolve(),
  });
  peer.attach({
    message: (m) => seenByPeer.push(String(m.t)),
    closed: () => peerClosed.resolve(),
  });
  driver.send({ t: "ping" }); // not read by the peer before it closes
  peer.send({ t: "result" });
  peer.send({ t: "stopped" });
  peer.close();
  await Promise.all([driverClosed.promise, peerClosed.promise]);
  assert.deepEqual(seenByDriver, ["result", "stopped"]);
  assert.deepEqual(seenByPeer, []);
  await Promise.all([driver.done, peer.done]);
});

Deno.test("a memory pair: a message sent before attach waits for it; next() takes one", async () => {
  const [driver, peer] = memoryPair();
  peer.send({ t: "eng_register" });
  assert.deepEqual(await driver.next(1_000), { t: "eng_register" });
  peer.send({ t: "a" });
  await Promise.resolve();
  await Promise.resolve();
  const seen: unknown[] = [];
  driver.attach({ message: (m) => seen.push(m), closed: () => {} });
  assert.deepEqual(seen, [{ t: "a" }]);
  driver.close();
  await Promise.all([driver.done, peer.done]);
});
