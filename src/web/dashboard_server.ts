/**
 * The `-w` web dashboard: an HTTP server (loopback by default) that shows a live run — state
 * and chart data (a `series` event: {@link ChartFeed}) pushed over server-sent events, per-task
 * lookup in the status file, soft-shutdown requests.
 * Every request must carry the run's random token: in the URL once (it is then moved into a
 * cookie and the browser is sent to the bare URL), as that cookie, or as a bearer header.
 * @module
 */
import { splitHostPort } from "../net/connect.ts";
import { randomHex, sameText } from "../net/connection.ts";
import { LineTail } from "../log/line_tail.ts";
import type { StateSource, StopTarget } from "../monitor/run_watcher.ts";
import type { RunState } from "../protocol/messages.ts";
import { parseStatusLine } from "../status/status_line.ts";
import { ChartFeed, type ChartMessage } from "./chart_feed.ts";
import { DASHBOARD_HTML } from "./dashboard_page.ts";
import { findTaskLines } from "./task_lookup.ts";

/** What the dashboard serves. */
export interface DashboardOptions {
  /** `host:port` to listen on (port 0: any free port). */
  address: string;
  /** The live run. */
  source: StateSource;
  /** `P_status.txt`, for task lookups. */
  statusPath: string;
  /** The access token; a random one when not given. */
  token?: string;
}

/** The dashboard address is unusable or cannot be bound. */
export class DashboardError extends Error {
  override name = "DashboardError";
}

const encoder = new TextEncoder();
const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};
/** The page may run only its own inline script and talk only to this server. */
const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function reply(status: number, body: string, type: string, extra: HeadersInit = {}): Response {
  return new Response(body, {
    status,
    headers: { ...COMMON_HEADERS, "content-type": type, ...extra },
  });
}

const json = (status: number, value: unknown) =>
  reply(status, JSON.stringify(value), "application/json");

/** The server-sent events of a new state and of the run's end. */
const stateEvent = (s: RunState) => encoder.encode(`data: ${JSON.stringify(s)}\n\n`);
const seriesEvent = (m: ChartMessage) =>
  encoder.encode(`event: series\ndata: ${JSON.stringify(m)}\n\n`);
const endEvent = (exitCode: number | null) =>
  encoder.encode(`event: end\ndata: ${JSON.stringify({ exitCode })}\n\n`);

/** A running dashboard. */
export class Dashboard {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #opts: DashboardOptions;
  readonly #token: string;
  readonly #cookie: string;
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #unlisten: () => void;
  readonly #feed = new ChartFeed();
  readonly #tail: LineTail;
  /** The chart update in progress (one at a time: they read the status file in turn). */
  #charting: Promise<void> = Promise.resolve();
  #chartQueued = false;
  /** The URL to open, token included. */
  readonly url: string;

  private constructor(opts: DashboardOptions, hostname: string, port: number) {
    this.#opts = opts;
    this.#token = opts.token ?? randomHex(24);
    try {
      this.#server = Deno.serve(
        { hostname, port, onListen: () => {} },
        (req) => this.#handle(req),
      );
    } catch (e) {
      throw new DashboardError(`cannot serve the dashboard on ${opts.address}: ${e}`, {
        cause: e,
      });
    }
    const addr = this.#server.addr;
    // Cookies are per host, not per port: two runs on one machine must not share one.
    this.#cookie = `disbatch_${addr.port}`;
    // A wildcard address is no place to browse to: the machine's name is.
    const name = addr.hostname === "0.0.0.0" || addr.hostname === "::"
      ? Deno.hostname()
      : addr.hostname;
    const host = name.includes(":") ? `[${name}]` : name;
    this.url = `http://${host}:${addr.port}/?token=${this.#token}`;
    this.#tail = new LineTail(opts.statusPath);
    if (opts.source.state) this.#feed.addState(opts.source.state);
    this.#updateCharts();
    this.#unlisten = opts.source.listen({
      state: (s) => {
        this.#broadcast(stateEvent(s));
        this.#feed.addState(s);
        this.#updateCharts();
      },
      end: (code) => {
        // The last attempts first: the page draws them before it hears of the end.
        this.#updateCharts();
        this.#charting = this.#charting.then(() => {
          this.#broadcast(endEvent(code));
          for (const c of this.#streams) c.close();
          this.#streams.clear();
        });
      },
    });
  }

  /** Starts serving; throws {@link DashboardError} when the address is bad or taken. */
  static start(opts: DashboardOptions): Dashboard {
    let where;
    try {
      where = splitHostPort(opts.address);
    } catch (e) {
      throw new DashboardError(`bad dashboard address ${opts.address} (want host:port)`, {
        cause: e,
      });
    }
    return new Dashboard(opts, where.hostname, where.port);
  }

  /** The bound port. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** Ends every event stream and stops serving. */
  async close(): Promise<void> {
    this.#unlisten();
    await this.#charting;
    this.#tail.close();
    for (const c of this.#streams) {
      try {
        c.close();
      } catch {
        // the browser already went away
      }
    }
    this.#streams.clear();
    await this.#server.shutdown();
  }

  #authorized(req: Request, url: URL): boolean {
    const given = url.searchParams.get("token") ??
      req.headers.get("authorization")?.replace(/^Bearer /i, "") ??
      req.headers.get("cookie")?.split(/;\s*/).find((c) => c.startsWith(`${this.#cookie}=`))
        ?.slice(this.#cookie.length + 1) ??
      "";
    return sameText(given, this.#token);
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (!this.#authorized(req, url)) {
      return reply(
        401,
        "disbatch dashboard: open the URL with its token (the driver printed it; it is also in P_url)\n",
        "text/plain; charset=utf-8",
      );
    }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /":
        if (url.searchParams.has("token")) {
          // The token leaves the address bar (and history) for an HttpOnly cookie.
          return reply(303, "", "text/plain", {
            location: "/",
            "set-cookie": `${this.#cookie}=${this.#token}; Path=/; HttpOnly; SameSite=Strict`,
          });
        }
        return reply(200, DASHBOARD_HTML, "text/html; charset=utf-8", {
          "content-security-policy": PAGE_CSP,
        });
      case "GET /api/state": {
        const src = this.#opts.source;
        return json(200, { state: src.state, ended: src.isEnded, exitCode: src.exitCode });
      }
      case "GET /api/series":
        return json(200, this.#feed.full());
      case "GET /api/events":
        return this.#events();
      case "GET /api/task": {
        const id = url.searchParams.get("id") ?? "";
        if (!/^\d{1,15}$/.test(id)) return json(400, { error: "id must be a task number" });
        const lines = await findTaskLines(this.#opts.statusPath, Number(id));
        return json(200, { taskId: Number(id), lines });
      }
      case "POST /api/stop":
        return await this.#stop(req);
    }
    return reply(404, "not found\n", "text/plain");
  }

  #events(): Response {
    const src = this.#opts.source;
    let self: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        self = c;
        if (src.state) c.enqueue(stateEvent(src.state));
        c.enqueue(seriesEvent(this.#feed.full()));
        if (src.isEnded) {
          c.enqueue(endEvent(src.exitCode));
          c.close();
        } else this.#streams.add(c);
      },
      cancel: () => {
        this.#streams.delete(self);
      },
    });
    return new Response(body, {
      headers: { ...COMMON_HEADERS, "content-type": "text/event-stream" },
    });
  }

  async #stop(req: Request): Promise<Response> {
    // A JSON body cannot be sent cross-site without a preflight, which is never granted.
    if (!req.headers.get("content-type")?.startsWith("application/json")) {
      return json(415, { error: "send JSON" });
    }
    let target: StopTarget;
    try {
      const b = await req.json();
      if (Number.isInteger(b?.engine)) target = { engine: b.engine };
      else if (Number.isInteger(b?.context)) target = { context: b.context };
      else throw new Error("no target");
    } catch {
      return json(400, { error: 'send {"engine": rank} or {"context": rank}' });
    }
    return json(200, { ok: await this.#opts.source.stop(target) });
  }

  /**
   * Reads the attempts the status file gained and sends the charts' delta; several snapshots
   * in quick succession make one update.
   */
  #updateCharts(): void {
    if (this.#chartQueued) return;
    this.#chartQueued = true;
    this.#charting = this.#charting.then(async () => {
      this.#chartQueued = false;
      const lines = await this.#tail.read().catch(() => []);
      this.#feed.addRecords(lines.flatMap((l) => parseStatusLine(l) ?? []));
      this.#broadcast(seriesEvent(this.#feed.delta()));
    });
  }

  #broadcast(data: Uint8Array): void {
    for (const c of this.#streams) {
      try {
        c.enqueue(data);
      } catch {
        this.#streams.delete(c);
      }
    }
  }
}
