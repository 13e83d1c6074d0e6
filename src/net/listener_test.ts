import assert from "node:assert/strict";
import { connectToDriver } from "./connect.ts";
import { HandshakeError, newSecret } from "./connection.ts";
import { Listener, MAX_PENDING_HANDSHAKES } from "./listener.ts";

const enc = new TextEncoder();

async function hostile(port: number, kind: number): Promise<void> {
  let c: Deno.TcpConn;
  try {
    c = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return; // refused under load: also fine
  }
  try {
    switch (kind % 5) {
      case 0: // connect and hang up at once
        return;
      case 1: // garbage
        await c.write(enc.encode("\x00\xff garbage \n{not json}\n"));
        break;
      case 2: // a well-formed hello with a wrong MAC
        await c.write(enc.encode('{"t":"hello","v":1,"role":"engine","mac":"00"}\n'));
        break;
      case 3: // an oversized line before authentication
        await c.write(new Uint8Array(70_000).fill(0x41));
        break;
      case 4: // wrong protocol version
        await c.write(enc.encode('{"t":"hello","v":999,"role":"engine","mac":""}\n'));
        break;
    }
    // Read until the server drops us (it must, for every kind).
    const buf = new Uint8Array(4096);
    while ((await c.read(buf)) !== null) { /* drain */ }
  } catch {
    // reset by the server
  } finally {
    try {
      c.close();
    } catch {
      // already closed
    }
  }
}

Deno.test("the listener drops 1,000 hostile connections and still serves a real peer", async () => {
  const secret = newSecret();
  const peers: string[] = [];
  let rejected = 0;
  const accepted: Array<{ close(): void; done: Promise<void> }> = [];
  const l = new Listener({
    hostname: "127.0.0.1",
    port: 0,
    secret,
    onPeer: (role, conn) => {
      peers.push(role);
      accepted.push(conn);
    },
    onReject: () => rejected++,
  });
  const port = l.addr.port;
  const t0 = Date.now();
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => hostile(port, batch * 100 + i)));
  }
  // Kind 0 closes before sending anything; every kind is rejected, none is accepted.
  assert.equal(peers.length, 0);
  assert.ok(rejected >= 800, `rejected ${rejected}`);
  const good = await connectToDriver([`127.0.0.1:${port}`], secret, "engine", 5000);
  assert.deepEqual(peers, ["engine"]);
  await assert.rejects(
    connectToDriver([`127.0.0.1:${port}`], "not-the-secret", "engine", 5000),
    HandshakeError,
  );
  assert.ok(Date.now() - t0 < 20_000);
  good.close();
  await good.done;
  for (const c of accepted) {
    c.close();
    await c.done;
  }
  await l.close();
});

Deno.test("a silent half-open peer is dropped after the handshake deadline, not kept", async () => {
  // Uses the real deadline only indirectly: the listener closes pending peers on close().
  const l = new Listener({
    hostname: "127.0.0.1",
    port: 0,
    secret: newSecret(),
    onPeer: () => assert.fail("no peer expected"),
    onReject: () => {},
  });
  const c = await Deno.connect({ hostname: "127.0.0.1", port: l.addr.port });
  await new Promise((r) => setTimeout(r, 50));
  await l.close();
  const buf = new Uint8Array(1024);
  // The server's hello, then EOF once the listener dropped the pending peer.
  let n: number | null;
  let got = 0;
  while ((n = await c.read(buf)) !== null) got += n;
  assert.ok(got > 0);
  c.close();
});

Deno.test("more peers than MAX_PENDING_HANDSHAKES connecting at once all get in (a large allocation)", async () => {
  const secret = newSecret();
  const peers: Array<{ close(): void; done: Promise<void> }> = [];
  const l = new Listener({
    hostname: "127.0.0.1",
    port: 0,
    secret,
    onPeer: (_role, conn) => peers.push(conn),
    onReject: (peer, e) => assert.fail(`${peer} rejected: ${e.message}`),
  });
  const n = MAX_PENDING_HANDSHAKES * 3;
  const clients = await Promise.all(
    Array.from(
      { length: n },
      () => connectToDriver([`127.0.0.1:${l.addr.port}`], secret, "engine", 30_000),
    ),
  );
  assert.equal(clients.length, n);
  assert.equal(peers.length, n);
  for (const c of [...clients, ...peers]) {
    c.close();
    await c.done;
  }
  await l.close();
});
