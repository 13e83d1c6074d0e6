/**
 * The driver's answers to monitors and clients (docs/protocol.md, "Clients and monitors"):
 * state snapshots, soft shutdown requests, submissions to a task server, the end of its
 * stream. One decoded request in, one reply out.
 * @module
 */
import type { Connection } from "../net/connection.ts";
import type { ClientToDriver } from "../protocol/client_messages.ts";
import type { RunState } from "../protocol/messages.ts";
import type { ClientRouter } from "./client_router.ts";
import type { ItemSource } from "./driver_config.ts";
import type { RunCore } from "./run_core.ts";
import { SubmissionSource } from "./submission_source.ts";

/** What answering a request needs of the driver. */
export interface ClientRequestContext {
  core: RunCore<Connection>;
  clients: ClientRouter<Connection>;
  source: ItemSource;
  log: { info(m: string): void };
  snapshot(): RunState;
}

/** Answers `m` from `conn`. */
export function answerClient(x: ClientRequestContext, conn: Connection, m: ClientToDriver): void {
  const ref = ("ref" in m ? m.ref : undefined) ?? null;
  switch (m.t) {
    case "watch":
    case "snapshot":
      if (m.t === "watch") x.clients.watch(conn);
      conn.send({ t: "state", state: x.snapshot() });
      return;
    case "stop": {
      const { engine, context } = m;
      const ok = engine !== undefined
        ? x.core.softStopEngine(engine)
        : context !== undefined && x.core.softStopContext(context);
      conn.send({ t: "ack", ok, ref });
      return;
    }
    case "wait": // answered with `end` when the run is over
      return;
    case "submit": {
      const src = x.source;
      const open = src instanceof SubmissionSource && !src.ended && !x.core.stopping;
      const reply = x.clients.submit(open ? src : null, m.lines, m.results !== false, conn);
      const { t, ...rest } = reply;
      conn.send({ t, ref, ...rest });
      if (reply.t === "accepted") x.core.pump();
      return;
    }
    case "end_stream": {
      const src = x.source;
      if (src instanceof SubmissionSource) {
        src.end();
        x.log.info(`task stream ended by ${conn.peer}`);
      }
      conn.send({ t: "ack", ok: src instanceof SubmissionSource, ref });
      return;
    }
    case "ping":
      conn.send({ t: "pong" });
      return;
    case "bye":
      conn.close();
      return;
  }
}
