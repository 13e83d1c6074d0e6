/**
 * The completion notice of `--mailTo` (spec §12.3): subject `<P> has completed <N> tasks`
 * (plus ` (<F> failed)`), body `Last <mailFreq>:`, a blank line, then the status lines
 * written since the previous notice — as a complete RFC 5322 message.
 * @module
 */
import { quotedPrintable } from "./quoted_printable.ts";

/** What one notice says. */
export interface CompletionNotice {
  prefix: string;
  mailTo: string;
  /** Tasks completed so far and how many of them failed. */
  finished: number;
  failed: number;
  /** `--mailFreq`. */
  every: number;
  /** Status lines since the previous notice, without newlines. */
  lines: string[];
  date: Date;
  /** Host name for the Message-ID. */
  host: string;
}

/** The subject line's text. */
export function completionSubject(n: CompletionNotice): string {
  return `${n.prefix} has completed ${n.finished} tasks` +
    (n.failed > 0 ? ` (${n.failed} failed)` : "");
}

/** A header value, RFC 2047-encoded when it is not plain ASCII. */
function headerText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const b64 = new TextEncoder().encode(text).toBase64();
  return `=?UTF-8?B?${b64}?=`;
}

/** The whole message, CRLF line ends, ready for SMTP `DATA` (before dot-stuffing). */
export function completionMail(n: CompletionNotice): string {
  const id = crypto.randomUUID();
  const headers = [
    `From: ${n.mailTo}`,
    `To: ${n.mailTo}`,
    `Subject: ${headerText(completionSubject(n))}`,
    `Date: ${n.date.toUTCString().replace(/GMT$/, "+0000")}`,
    `Message-ID: <${id}@${n.host}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
  ];
  const body = `Last ${n.every}:\n\n${n.lines.map((l) => l + "\n").join("")}`;
  return `${headers.join("\r\n")}\r\n\r\n${quotedPrintable(body)}`;
}
