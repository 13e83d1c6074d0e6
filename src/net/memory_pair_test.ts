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

Deno.test("a memory pair: a line over the limit ends the connection with an error", async () => {
  const [driver, peer] = memoryPair();
  const closed = Promise.withResolvers<Error | undefined>();
  driver.attach({ message: () => {}, closed: closed.resolve });
  peer.send({ t: "x", big: "y".repeat(MAX_LINE_BYTES + 1) });
  assert.ok((await closed.promise) instanceof Error);
  peer.close();
  await Promise.all([driver.done, peer.done]);
});
