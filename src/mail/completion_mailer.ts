/**
 * `--mailTo`/`--mailFreq` (spec §12.3): follows `P_status.txt` as the driver appends to it and,
 * after every `mailFreq`-th completed task, mails the lines written since the previous notice.
 * A failed send is reported once and ends the notices (the original's intent).
 * @module
 */
import { LineTail } from "../log/line_tail.ts";
import { parseStatusLine } from "../status/status_line.ts";
import { completionMail } from "./completion_mail.ts";

/** What the mailer needs. */
export interface MailerOptions {
  statusPath: string;
  prefix: string;
  mailTo: string;
  /** Mail after every this many completed tasks (`--mailFreq`). */
  every: number;
  /** Hands one message to the mail system. */
  send(message: string): Promise<void>;
  /** Told of the first failure; no notice is sent after it. */
  onError(error: Error): void;
  /** How often the status file is read. */
  pollMs?: number;
}

/** Sends completion notices for one run. */
export class CompletionMailer {
  readonly #o: MailerOptions;
  #tail: LineTail | null = null;
  #lines: string[] = [];
  #finished = 0;
  #failed = 0;
  #disabled = false;
  #sending: Promise<void> = Promise.resolve();
  #reading: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(o: MailerOptions) {
    this.#o = o;
  }

  /** Starts following the status file (it must exist: the driver creates it first). */
  async start(): Promise<void> {
    const tail = new LineTail(this.#o.statusPath);
    await tail.open();
    this.#tail = tail;
    this.#timer = setInterval(() => this.#poll(), this.#o.pollMs ?? 500);
  }

  /** Reads what is left, waits for the notices in flight, and stops. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#poll();
    await this.#reading;
    await this.#sending;
    this.#tail?.close();
    this.#tail = null;
  }

  #poll(): void {
    // One read at a time: the file position is shared.
    this.#reading = this.#reading.then(() => this.#readNew());
  }

  async #readNew(): Promise<void> {
    for (const line of await this.#tail?.read() ?? []) this.#line(line);
  }

  #line(line: string): void {
    const r = parseStatusLine(line);
    if (!r) return;
    this.#lines.push(line);
    if (r.kind !== "N" && r.kind !== "S") return;
    this.#finished++;
    if (r.rc !== 0) this.#failed++;
    if (this.#finished % this.#o.every !== 0 || this.#disabled) return;
    const message = completionMail({
      prefix: this.#o.prefix,
      mailTo: this.#o.mailTo,
      finished: this.#finished,
      failed: this.#failed,
      every: this.#o.every,
      lines: this.#lines,
      date: new Date(),
      host: Deno.hostname(),
    });
    this.#lines = [];
    this.#sending = this.#sending.then(async () => {
      if (this.#disabled) return;
      try {
        await this.#o.send(message);
      } catch (e) {
        this.#disabled = true;
        this.#o.onError(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }
}
