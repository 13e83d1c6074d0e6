import assert from "node:assert/strict";
import { pyFloatRepr } from "./py_float_repr.ts";

Deno.test("pyFloatRepr writes whole floats with .0, as Python does", () => {
  assert.deepEqual([-1, 2, 0.5, -0.25].map(pyFloatRepr), ["-1.0", "2.0", "0.5", "-0.25"]);
});
