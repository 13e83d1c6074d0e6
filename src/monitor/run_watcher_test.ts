import assert from "node:assert/strict";
import type { Connection } from "../net/connection.ts";
import { newSecret } from "../net/connection.ts";
import { Listener } from "../net/listener.ts";
import type { RunState } from "../protocol/messages.ts";
import type { RunHandle } from "./run_client.ts";
import { RunWatcher } from "./run_watcher.ts";
import { sampleState } from "./sample_state.ts";

/** A driver that speaks the monitor protocol: states on request, stops of engine 1 only. */
function fakeDriver() {
  const secret = newSecret();
  const seen: string[] = [];
  const monitors: Connection[] = [];
  const listener = new Listener({
    hostname: "127.0.0.1",
    port: 0,
    secret,
    onPeer: (role, conn) => {
      assert.equal(role, "monitor");
      monitors.push(conn);
      conn.attach({
        message: (m) => {
          seen.push(String(m.t));
          if (m.t === "watch" || m.t === "snapshot") {
            conn.send({ t: "state", state: sampleState({ done: seen.length }) });
          } else if (m.t === "stop") conn.send({ t: "ack", ok: m.engine === 1, ref: m.ref });
          else if (m.t === "bye") conn.close();
        },
        closed: () => {},
      });
    },
    onReject: () => {},
  });
  const run: RunHandle = {
    script: "/nonexistent_dbUtil.sh",
    exitCode: null,
    finalState: null,
    creds: {
      addresses: [`127.0.0.1:${listener.addr.port}`],
      primary: `127.0.0.1:${listener.addr.port}`,
      driverHost: Deno.hostname(),
      secret,
      prefix: "/tmp/x",
    },
  };
  return { run, seen, monitors, listener };
}

Deno.test("RunWatcher follows states, polls, and matches stop answers to requests", async () => {
  const d = fakeDriver();
  const w = await RunWatcher.open(d.run, 20);
  const states: RunState[] = [];
  w.listen({ state: (s) => states.push(s) });
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(d.seen[0], "watch");
  assert.ok(d.seen.filter((t) => t === "snapshot").length >= 2, "snapshots are polled");
  assert.ok(states.length >= 2);
  assert.equal(w.state, states.at(-1));
  const [yes, no] = await Promise.all([w.stop({ engine: 1 }), w.stop({ engine: 5 })]);
  assert.equal(yes, true);
  assert.equal(no, false);
  await w.close();
  assert.equal(await w.ended, null, "leaving is not an end announced by the driver");
  assert.equal(await w.stop({ context: 0 }), false, "nothing can be stopped once closed");
  await d.listener.close();
});

Deno.test("RunWatcher reports the exit code the driver announces at the end", async () => {
  const d = fakeDriver();
  const w = await RunWatcher.open(d.run, 60_000);
  const ends: (number | null)[] = [];
  w.listen({ end: (c) => ends.push(c) });
  await new Promise((r) => setTimeout(r, 20));
  const pending = w.stop({ engine: 7 });
  d.monitors[0].send({ t: "end", exitCode: 3 });
  await d.monitors[0].bye();
  assert.equal(await w.ended, 3);
  assert.equal(w.exitCode, 3);
  assert.equal(w.isEnded, true);
  assert.deepEqual(ends, [3]);
  assert.equal(await pending, false);
  await d.listener.close();
});
