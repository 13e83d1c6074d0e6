/**
 * Driver ↔ client or monitor (docs/protocol.md, "Clients and monitors"): requests, each
 * answered in order, results routed to their submitter, and the end of the run. Both roles
 * speak the same messages.
 * @module
 */
import { byeShape, idRangeShape, runStateShape, taskResultShape } from "./messages.ts";
import {
  arrayOf,
  boolean,
  direction,
  int,
  json,
  type MessageOf,
  object,
  optional,
  side,
  string,
} from "./wire_schema.ts";

const ref = optional(json);

/** What a client or monitor sends the driver. */
export const clientToDriver = direction("client → driver", {
  submit: { ref, lines: arrayOf(string), results: optional(boolean) },
  end_stream: { ref },
  snapshot: {},
  watch: {},
  stop: { engine: optional(int), context: optional(int), ref },
  wait: {},
  ping: {},
  bye: byeShape,
});

const ids = arrayOf(object(idRangeShape));

/** What the driver sends a client or monitor. */
export const driverToClient = direction("driver → client", {
  accepted: { ref: json, ids },
  rejected: { ref: json, message: string, accepted: optional(ids) },
  ack: { ok: boolean, ref: json },
  state: { state: object(runStateShape) },
  result: { result: object(taskResultShape) },
  end: { exitCode: int },
  pong: {},
  error: { message: string },
  bye: byeShape,
});

/** A request from a client or monitor. */
export type ClientToDriver = MessageOf<typeof clientToDriver.shapes>;
/** A message from the driver to a client or monitor. */
export type DriverToClient = MessageOf<typeof driverToClient.shapes>;

/**
 * Checks a parsed request; throws ProtocolError when it is not one of these
 * (UnknownMessageError for an unknown `t`, which the driver answers with `error`).
 */
export const decodeClientToDriver: (raw: unknown) => ClientToDriver = clientToDriver.decode;
/** Checks a parsed line from the driver; throws ProtocolError when it is not one of these. */
export const decodeDriverToClient: (raw: unknown) => DriverToClient = driverToClient.decode;

/** A client's or monitor's end of its connection. */
export const CLIENT_SIDE = side(driverToClient, clientToDriver);
/** The driver's end of a client's or monitor's connection. */
export const DRIVER_CLIENT_SIDE = side(clientToDriver, driverToClient);
