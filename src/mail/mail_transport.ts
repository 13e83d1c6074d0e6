/**
 * Handing a message to the local mail system: SMTP to `localhost:25` (the original's choice),
 * another `host:port`, or a sendmail-compatible program. `DISBATCH_MAIL_VIA` selects it.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { splitHostPort } from "../net/connect.ts";
import { runWithInput } from "../proc/spawn_child.ts";

/** Where mail goes. */
export type MailTransport =
  | { kind: "smtp"; hostname: string; port: number }
  | { kind: "sendmail"; path: string };

/** The message could not be handed over. */
export class MailError extends Error {
  override name = "MailError";
}

/** Reads `DISBATCH_MAIL_VIA`: unset = SMTP localhost:25; `/path` = sendmail; else `host[:port]`. */
export function parseMailVia(value: string | undefined): MailTransport {
  const v = value?.trim() ?? "";
  if (v === "") return { kind: "smtp", hostname: "localhost", port: 25 };
  if (v.startsWith("/")) return { kind: "sendmail", path: v };
  const hasPort = /:\d+$/.test(v) && (!v.includes("::") || v.startsWith("["));
  try {
    return { kind: "smtp", ...splitHostPort(hasPort ? v : `${v}:25`) };
  } catch (e) {
    throw new MailError(`DISBATCH_MAIL_VIA: not host[:port] or /path/to/sendmail: ${v}`, {
      cause: e,
    });
  }
}

/** Sends `message` (CRLF lines) from `from` to `to`. */
export async function sendMail(
  via: MailTransport,
  from: string,
  to: string,
  message: string,
  timeoutMs = 30_000,
): Promise<void> {
  if (via.kind === "sendmail") await sendmail(via.path, from, to, message);
  else await smtp(via.hostname, via.port, from, to, message, timeoutMs);
}

async function sendmail(path: string, from: string, to: string, message: string): Promise<void> {
  let out;
  try {
    // sendmail programs take the local convention: LF line ends.
    out = await runWithInput(
      path,
      ["-i", "-f", from, "--", to],
      new TextEncoder().encode(message.replace(/\r\n/g, "\n")),
    );
  } catch (e) {
    throw new MailError(errorMessage(e), { cause: e });
  }
  if (out.code !== 0) {
    const why = out.stderr.trim().split("\n")[0];
    throw new MailError(`${path} exited with ${out.code}${why ? `: ${why}` : ""}`);
  }
}

/** Reads SMTP replies (`250-…` continuation lines, then `250 …`). */
class ReplyReader {
  readonly #conn: Deno.Conn;
  readonly #decoder = new TextDecoder();
  #buf = "";

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async reply(): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const chunk = new Uint8Array(4096);
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl < 0) {
        const n = await this.#conn.read(chunk);
        if (n === null) throw new MailError("the SMTP server closed the connection");
        this.#buf += this.#decoder.decode(chunk.subarray(0, n), { stream: true });
        continue;
      }
      const line = this.#buf.slice(0, nl).replace(/\r$/, "");
      this.#buf = this.#buf.slice(nl + 1);
      lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        return { code: Number(line.slice(0, 3)) || 0, text: lines.join(" | ") };
      }
    }
  }
}

async function smtp(
  hostname: string,
  port: number,
  from: string,
  to: string,
  message: string,
  timeoutMs: number,
): Promise<void> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname, port });
  } catch (e) {
    throw new MailError(`cannot reach the SMTP server ${hostname}:${port}: ${e}`, { cause: e });
  }
  // A silent server must not hold the run's end back: the connection is cut at the deadline.
  const timer = setTimeout(() => conn.close(), timeoutMs);
  const replies = new ReplyReader(conn);
  const enc = new TextEncoder();
  const write = async (text: string) => {
    const data = enc.encode(text);
    let off = 0;
    while (off < data.length) off += await conn.write(data.subarray(off));
  };
  const step = async (command: string | null, ok: number[], what = command ?? "greeting") => {
    if (command !== null) await write(command + "\r\n");
    const r = await replies.reply();
    if (!ok.includes(r.code)) throw new MailError(`SMTP ${what.split(":")[0]}: ${r.text}`);
  };
  try {
    await step(null, [220]);
    await step(`EHLO ${Deno.hostname()}`, [250]);
    await step(`MAIL FROM:<${from}>`, [250]);
    await step(`RCPT TO:<${to}>`, [250, 251]);
    await step("DATA", [354]);
    // Dot-stuffing: a line that starts with "." gets another one (RFC 5321 §4.5.2).
    const data = message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    await step(`${data}${data.endsWith("\r\n") ? "" : "\r\n"}.`, [250], "message");
    await write("QUIT\r\n").catch(() => {});
  } catch (e) {
    if (e instanceof MailError) throw e;
    throw new MailError(`SMTP with ${hostname}:${port} failed: ${e}`, { cause: e });
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed at the deadline
    }
  }
}
