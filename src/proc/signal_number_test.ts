import assert from "node:assert/strict";
import { signalNumber } from "./signal_number.ts";

Deno.test("signalNumber maps standard Linux names", () => {
  assert.equal(signalNumber("SIGKILL"), 9);
  assert.equal(signalNumber("SIGTERM"), 15);
  assert.equal(signalNumber("SIGHUP"), 1);
  assert.equal(signalNumber("SIGSEGV"), 11);
  assert.equal(signalNumber("SIGPIPE"), 13);
  assert.equal(signalNumber("SIGUSR1"), 10);
  assert.equal(signalNumber("SIGCHLD"), 17);
  assert.equal(signalNumber("SIGSYS"), 31);
  assert.equal(signalNumber("SIGIOT"), 6);
  assert.equal(signalNumber("kill"), 9);
  assert.equal(signalNumber("INT"), 2);
});

Deno.test("signalNumber returns 0 for unknown names", () => {
  assert.equal(signalNumber("SIGNOPE"), 0);
  assert.equal(signalNumber(""), 0);
  assert.equal(signalNumber("toString"), 0);
});

Deno.test("signalNumber agrees with bash's kill -l for every name it knows", async () => {
  const out = await new Deno.Command("/bin/bash", { args: ["-c", "kill -l"], stdin: "null" })
    .output();
  const listing = new TextDecoder().decode(out.stdout);
  const pairs = [...listing.matchAll(/(\d+)\) (SIG[A-Z0-9]+)\b/g)]
    .filter((m) => Number(m[1]) < 32);
  assert.ok(pairs.length >= 30);
  for (const m of pairs) assert.equal(signalNumber(m[2]), Number(m[1]), m[2]);
});
