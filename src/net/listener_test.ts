import assert from "node:assert/strict";
import { connectToDriver } from "./connect.ts";
import { HandshakeError, newSecret } from "./connection.ts";
import { Listener, MAX_PENDING_HANDSHAKES } from "./listener.ts";
import { exitedWithin } from "../time/exited_within.ts";

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

/**
 * Runs in a child whose descriptor limit is low: a listener, then /dev/null opened until none
 * is left. Lines out: `port N`, `full`, `accept-error <retryInMs> <message>`, `peer <role>`.
 * Lines in: `free` closes some of the files; end of input closes everything.
 */
const FD_LIMITED_LISTENER = `
import { Listener } from ${JSON.stringify(new URL("./listener.ts", import.meta.url).href)};
const say = (line) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\\n"));
const peers = [];
const l = new Listener({
  hostname: "127.0.0.1",
  port: 0,
  secret: Deno.env.get("SECRET"),
  onPeer: (role, conn) => {
    peers.push(conn);
    say("peer " + role);
  },
  onReject: (peer, e) => say("rejected " + e.message),
  onAcceptError: (e, ms) => say("accept-error " + ms + " " + e.message),
});
say("port " + l.addr.port);
const files = [];
try {
  for (;;) files.push(Deno.openSync("/dev/null"));
} catch (e) {
  if (e.code !== "EMFILE") throw e;
}
say("full");
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
for await (const chunk of lines) {
  if (chunk.includes("free")) for (const f of files.splice(0, 8)) f.close();
}
for (const f of files) f.close();
for (const c of peers) c.close();
await l.close();
`;

Deno.test("accept() out of descriptors (EMFILE): reported once, retried, and a peer gets in once some are free", async () => {
  const secret = newSecret();
  const child = new Deno.Command("prlimit", {
    args: ["--nofile=256:256", Deno.execPath(), "eval", FD_LIMITED_LISTENER],
    env: { SECRET: secret },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  /** The child's next line; a generous deadline turns a missing line into a failure, not a hang. */
  const nextLine = async (): Promise<string> => {
    const read = (async () => {
      while (!buffered.includes("\n")) {
        const r = await lines.read();
        if (r.done) throw new Error(`the child ended; it said ${JSON.stringify(buffered)}`);
        buffered += r.value;
      }
    })();
    if (!(await exitedWithin(read, 30_000))) throw new Error("the child said nothing in 30 s");
    await read;
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  let passed = false;
  try {
    const port = Number((await nextLine()).replace(/^port /, ""));
    assert.ok(port > 0);
    assert.equal(await nextLine(), "full");
    // The connect succeeds (the kernel queues it); the listener cannot accept it yet.
    const peer = connectToDriver([`127.0.0.1:${port}`], secret, "engine", 60_000);
    peer.catch(() => {}); // awaited below, unless an assertion fails first
    const reported = await nextLine();
    assert.match(reported, /^accept-error 100 .*\(os error 24\)/);
    await stdin.write(new TextEncoder().encode("free\n"));
    // Later failures of the same run of them were not reported again: the next line is the peer.
    assert.equal(await nextLine(), "peer engine");
    const conn = await peer;
    conn.close();
    await conn.done;
    passed = true;
  } finally {
    if (!passed) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already ended
      }
    }
    await stdin.close().catch(() => {});
    await lines.cancel();
    const status = await child.status;
    if (passed) assert.equal(status.code, 0);
  }
});
