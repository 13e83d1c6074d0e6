/**
 * The handshake (docs/protocol.md, "Handshake"): the driver's `hello` with a nonce, the peer's
 * `hello` with its role and the nonce's HMAC, the driver's `welcome`. The version is compared
 * before the rest is decoded, so a peer of another version is told so, not that its hello is
 * malformed.
 * @module
 */
import { ROLES } from "./messages.ts";
import { direction, int, type MessageOf, oneOf, string } from "./wire_schema.ts";

/** What the driver sends during the handshake. */
export const driverHandshake = direction("driver → peer (handshake)", {
  hello: { v: int, nonce: string },
  welcome: { v: int },
});

/** What a peer sends during the handshake. */
export const peerHandshake = direction("peer → driver (handshake)", {
  hello: { v: int, role: oneOf(...ROLES), mac: string },
});

/** A handshake message from the driver. */
export type DriverHandshake = MessageOf<typeof driverHandshake.shapes>;
/** A handshake message from a peer. */
export type PeerHandshake = MessageOf<typeof peerHandshake.shapes>;
