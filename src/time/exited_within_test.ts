import assert from "node:assert/strict";
import { exitedWithin } from "./exited_within.ts";

Deno.test("exitedWithin: true when the status settles in time, false when time runs out", async () => {
  assert.equal(await exitedWithin(Promise.resolve(0), 1_000), true);
  // A rejected status settles too.
  assert.equal(await exitedWithin(Promise.reject(new Error("gone")).catch(() => {}), 1_000), true);
  let settle!: () => void;
  const later = new Promise<void>((r) => settle = r);
  assert.equal(await exitedWithin(later, 20), false);
  settle();
  assert.equal(await exitedWithin(later, 20), true);
});
