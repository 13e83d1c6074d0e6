import assert from "node:assert/strict";
import { PeerRegistry } from "./peer_registry.ts";

Deno.test("ranks count up; a context's label defaults by kind; contexts seen stay listed", () => {
  const r = new PeerRegistry<string>();
  const a = r.addContext("ca", { sysid: "Slurm", host: "h1", nodes: ["n1"] });
  const b = r.addContext("cb", { sysid: "SSH", host: "h2", nodes: [] });
  const c = r.addContext("cc", { label: "mine", host: "h3", nodes: [] });
  assert.deepEqual([a.label, b.label, c.label], ["J0", "SSH1", "mine"]);
  r.contexts.delete(b.rank);
  assert.deepEqual(r.contextList().map((x) => [x.rank, x.connected]), [[0, true], [1, false], [
    2,
    true,
  ]]);
  const e0 = r.addEngine("e0", "n1");
  const e1 = r.addEngine("e1", "n2");
  assert.deepEqual([e0.rank, e1.rank, e1.node, e1.conn], [0, 1, "n2", "e1"]);
});

Deno.test("an engine is released once", () => {
  const r = new PeerRegistry<string>();
  const e = r.addEngine("e", "n");
  assert.ok(r.drain(e));
  assert.ok(!r.drain(e));
  assert.ok(e.drained);
});

Deno.test("heartbeat: engines silent past the timeout are lost, the others pinged", () => {
  const r = new PeerRegistry<string>();
  for (const n of ["a", "b", "c"]) r.addEngine(n, n);
  const heard = new Map([[0, 100], [1, 89.5]]);
  const v = r.heartbeat(100, 10, (rank) => heard.get(rank));
  assert.deepEqual(v.lost.map((l) => [l.peer.rank, l.silentFor]), [[1, 10.5]]);
  // Rank 2 is unknown to the scheduler: pinged, never declared lost.
  assert.deepEqual(v.ping.map((p) => p.rank), [0, 2]);
  assert.deepEqual(r.heartbeat(99.5, 10, (rank) => heard.get(rank)).lost, []);
});
