import assert from "node:assert/strict";
import { errorMessage } from "./error_message.ts";

Deno.test("errorMessage: an Error's message, anything else as a string", () => {
  assert.equal(errorMessage(new TypeError("bad type")), "bad type");
  assert.equal(
    errorMessage(new Deno.errors.NotFound("no such file (os error 2)")),
    "no such file (os error 2)",
  );
  assert.equal(errorMessage("thrown text"), "thrown text");
  assert.equal(errorMessage(42), "42");
  assert.equal(errorMessage(null), "null");
  assert.equal(errorMessage(undefined), "undefined");
});
