import assert from "node:assert/strict";
import { NodeListError, parseNodeList, sshSlots } from "./node_slots.ts";

Deno.test("parseNodeList sums repeats, maps localhost, ignores empty items", () => {
  const warnings: string[] = [];
  const nodes = parseNodeList("localhost:1, localhost:2,,n1:4 ", "vm", (w) => warnings.push(w));
  assert.deepEqual(nodes, [{ node: "vm", cores: 3 }, { node: "n1", cores: 4 }]);
  assert.equal(warnings.length, 1);
  assert.deepEqual(parseNodeList("[::1]:2", "vm"), [{ node: "[::1]", cores: 2 }]);
});

Deno.test("parseNodeList rejects items without a host or a count >= 1, and empty lists", () => {
  for (const bad of ["localhost", "localhost2", "n1:x", ":3", "n1:1.5", "n1:0", "n1:-2", "a:1,b"]) {
    assert.throws(() => parseNodeList(bad, "vm"), NodeListError, bad);
  }
  assert.throws(
    () => parseNodeList("n1:1,localhost2", "vm"),
    { message: "item 'localhost2' is not HOST:N (a host name and N >= 1 slots)" },
  );
  assert.throws(() => parseNodeList(" , ", "vm"), { message: "no HOST:N item in ' , '" });
});

Deno.test("sshSlots follows spec 9.3.1 and T40", () => {
  assert.deepEqual(sshSlots(5, 2, -1), { cylinders: 2, coresPerCylinder: 2 });
  assert.deepEqual(sshSlots(5, 0.5, -1), { cylinders: 10, coresPerCylinder: 0 });
  assert.deepEqual(sshSlots(5, -1, 3), { cylinders: 3, coresPerCylinder: 1 });
  assert.deepEqual(sshSlots(5, 2, 3), { cylinders: 3, coresPerCylinder: 1 });
  assert.deepEqual(sshSlots(1, 0.1, -1), { cylinders: 9, coresPerCylinder: 0 });
  assert.deepEqual(sshSlots(1, 2, -1), { cylinders: 0, coresPerCylinder: 1 });
});
