import { assertDirection } from "./assert_direction.ts";
import { driverHandshake, peerHandshake } from "./handshake_messages.ts";

Deno.test("handshake: every message decodes; broken ones are ProtocolErrors", () => {
  assertDirection(driverHandshake, [
    { t: "hello", v: 1, nonce: "0123456789abcdef0123456789abcdef" },
    { t: "welcome", v: 1 },
  ]);
  assertDirection(peerHandshake, [
    { t: "hello", v: 1, role: "engine", mac: "ab".repeat(32) },
    { t: "hello", v: 1, role: "client", mac: "" },
  ]);
});
