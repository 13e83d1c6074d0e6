/**
 * What the driver process runs beside the driver to let people see the run live: the progress
 * line on a terminal's stderr, the `-w` web dashboard and the `--mailTo` notices. They use the
 * driver only from outside — a monitor connection to the run's own address (credentials from
 * its `P_dbUtil.sh`) and the status file — so the driver needs no hook for them.
 * @module
 */
import type { Logger } from "../log/logger.ts";
import { writeStd } from "../log/write_std.ts";
import { errorMessage } from "../log/error_message.ts";
import type { DriverOptions } from "./parse_args.ts";
import { CompletionMailer } from "../mail/completion_mailer.ts";
import { type MailTransport, parseMailVia, sendMail } from "../mail/mail_transport.ts";
import { ProgressLine } from "../monitor/progress_line.ts";
import { openRun } from "../monitor/run_client.ts";
import { RunWatcher } from "../monitor/run_watcher.ts";
import { splitHostPort } from "../net/connect.ts";
import { Dashboard } from "../web/dashboard_server.ts";
import { exitedWithin } from "../time/exited_within.ts";
import { runFiles } from "../protocol/run_files.ts";
import { replaceFileSync } from "../os/replace_file.ts";

/** What was asked for; checked when constructed (before the run starts). */
export interface ExtrasOptions {
  /** `-w`. */
  web: boolean;
  mailTo: string | null;
  mailFreq: number | null;
  /** Show the progress line (stderr is a terminal). */
  progress: boolean;
  /** `DISBATCH_WEB_ADDRESS` (default `127.0.0.1:0`) and `DISBATCH_MAIL_VIA`. */
  env: Record<string, string | undefined>;
}

/** The run the extras attach to, once the driver listens. */
export interface RunPlace {
  prefix: string;
  scriptPath: string;
  statusPath: string;
  log: Logger;
}

/** A setting of the extras is unusable. */
export class ExtrasConfigError extends Error {
  override name = "ExtrasConfigError";
}

/** Width of the terminal on stderr; 80 once it is gone (hung up). */
function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

/** How long closing waits for the watcher to hear of the run's end (it is sent already). */
const END_NOTICE_MS = 2000;

/** The progress line, dashboard and mailer of one driver process. */
export class DriverExtras {
  readonly #o: ExtrasOptions;
  readonly #webAddress: string;
  readonly #mailVia: MailTransport | null;
  readonly #progress: ProgressLine | null;
  #watcher: RunWatcher | null = null;
  #dashboard: Dashboard | null = null;
  #mailer: CompletionMailer | null = null;
  #urlFile: string | null = null;

  /** Throws {@link ExtrasConfigError} for a bad dashboard address or mail transport. */
  constructor(o: ExtrasOptions) {
    this.#o = o;
    this.#webAddress = o.env.DISBATCH_WEB_ADDRESS || "127.0.0.1:0";
    if (o.web) {
      try {
        splitHostPort(this.#webAddress);
      } catch (e) {
        throw new ExtrasConfigError(`DISBATCH_WEB_ADDRESS is not host:port: ${this.#webAddress}`, {
          cause: e,
        });
      }
    }
    this.#mailVia = null;
    if (o.mailTo !== null) {
      // The address goes into SMTP commands and headers: no room for anything but an address.
      if (!/^[^\s<>"]+$/.test(o.mailTo)) {
        throw new ExtrasConfigError(`--mailTo: not a mail address: ${JSON.stringify(o.mailTo)}`);
      }
      try {
        this.#mailVia = parseMailVia(o.env.DISBATCH_MAIL_VIA);
      } catch (e) {
        throw new ExtrasConfigError(errorMessage(e), { cause: e });
      }
    }
    this.#progress = o.progress
      ? new ProgressLine((text) => writeStd(Deno.stderr, text), terminalColumns)
      : null;
  }

  /** Runs `print` (which writes whole lines to the terminal) above the progress line. */
  above(print: () => void): void {
    if (this.#progress) this.#progress.above(print);
    else print();
  }

  /** The extras `o` asks for; the progress line when stderr is a terminal. */
  static forRun(o: Pick<DriverOptions, "web" | "mailTo" | "mailFreq">): DriverExtras {
    return new DriverExtras({
      web: o.web,
      mailTo: o.mailTo,
      mailFreq: o.mailFreq,
      progress: Deno.stderr.isTerminal(),
      env: Deno.env.toObject(),
    });
  }

  /**
   * Starts what was asked for, once the driver listens and has written its helper script.
   * Problems are logged and told (`tell`), never fatal: the run goes on without the extra.
   */
  async start(run: RunPlace, tell: (line: string) => void): Promise<void> {
    if (run.scriptPath === "") return; // the driver failed before listening
    const warn = (what: string, e: unknown) => {
      const line = `disbatch: warning: ${what}: ${errorMessage(e)}`;
      run.log.warn(line);
      // The progress line alone is not worth a warning (a run may end before it connects).
      if (this.#o.web || what !== "cannot follow the run") this.above(() => tell(line));
    };
    if (this.#o.mailTo && this.#mailVia) {
      const via = this.#mailVia;
      const to = this.#o.mailTo;
      const mailer = new CompletionMailer({
        statusPath: run.statusPath,
        prefix: run.prefix,
        mailTo: to,
        every: this.#o.mailFreq ?? 1,
        send: (message) => sendMail(via, to, to, message),
        onError: (e) =>
          run.log.warn(`Failed to send notification message: "${e.message}". Disabling.`),
      });
      try {
        await mailer.start();
        this.#mailer = mailer;
      } catch (e) {
        warn("no mail notices", e);
      }
    }
    if (!this.#progress && !this.#o.web) return;
    try {
      this.#watcher = await RunWatcher.open(await openRun(run.scriptPath));
    } catch (e) {
      warn("cannot follow the run", e);
      return;
    }
    if (this.#progress) {
      const p = this.#progress;
      this.#watcher.listen({ state: (s) => p.show(s), end: () => p.clear() });
    }
    if (!this.#o.web) return;
    try {
      this.#dashboard = Dashboard.start({
        address: this.#webAddress,
        source: this.#watcher,
        statusPath: run.statusPath,
      });
    } catch (e) {
      warn("no web dashboard", e);
      return;
    }
    const url = this.#dashboard.url;
    this.#urlFile = runFiles.url(run.prefix);
    try {
      // Whoever waits for the file reads it whole.
      replaceFileSync(this.#urlFile, url + "\n", 0o600);
    } catch (e) {
      this.#urlFile = null;
      warn(`cannot write ${run.prefix}_url`, e);
    }
    run.log.info(`web dashboard on port ${this.#dashboard.port}`);
    this.above(() => tell(`disbatch: dashboard: ${url}`));
  }

  /** Stops everything (after the driver's run has ended). */
  async close(): Promise<void> {
    // The watcher hears of the end over its own connection, a moment after the driver's run has
    // returned: let it (and so the dashboard's browsers and the progress line) see the end.
    if (this.#watcher) await exitedWithin(this.#watcher.ended, END_NOTICE_MS);
    await this.#mailer?.close();
    await this.#dashboard?.close();
    await this.#watcher?.close();
    this.#progress?.clear();
    if (this.#urlFile) {
      try {
        Deno.removeSync(this.#urlFile);
      } catch {
        // removed by someone else
      }
    }
  }
}
