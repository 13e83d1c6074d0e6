/**
 * Driver ↔ context (docs/protocol.md, "Contexts"): registration, engine exits, lost engines
 * and the end of the run.
 * @module
 */
import { byeShape, runInfoShape } from "./messages.ts";
import {
  arrayOf,
  direction,
  int,
  type MessageOf,
  object,
  oneOf,
  optional,
  side,
  string,
} from "./wire_schema.ts";

/** What the driver sends a context. */
export const driverToContext = direction("driver → context", {
  ctx_accept: { rank: int, run: object(runInfoShape) },
  run_done: {},
  engine_lost: { node: string, pid: int },
  bye: byeShape,
});

/** What a context sends the driver. */
export const contextToDriver = direction("context → driver", {
  ctx_register: {
    label: string,
    sysid: oneOf("SSH", "Slurm"),
    host: string,
    pid: int,
    nodes: arrayOf(string),
    taskLimit: optional(int),
  },
  engine_exit: { node: string, code: int },
  bye: byeShape,
});

/** A message from the driver to a context. */
export type DriverToContext = MessageOf<typeof driverToContext.shapes>;
/** A message from a context to the driver. */
export type ContextToDriver = MessageOf<typeof contextToDriver.shapes>;

/** Checks a parsed line from the driver; throws ProtocolError when it is not one of these. */
export const decodeDriverToContext: (raw: unknown) => DriverToContext = driverToContext.decode;
/** Checks a parsed line from a context; throws ProtocolError when it is not one of these. */
export const decodeContextToDriver: (raw: unknown) => ContextToDriver = contextToDriver.decode;

/** The context's end of its connection. */
export const CONTEXT_SIDE = side(driverToContext, contextToDriver);
/** The driver's end of a context's connection. */
export const DRIVER_CONTEXT_SIDE = side(contextToDriver, driverToContext);
