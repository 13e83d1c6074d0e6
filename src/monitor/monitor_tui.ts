/**
 * The full-screen terminal monitor: draws {@link renderMonitor} frames on the alternate screen,
 * turns keys into cursor moves and confirmed soft shutdowns, and always gives the terminal
 * back as it found it (normal screen, cursor shown, cooked mode), also when stopped by a signal.
 * @module
 */
import { parseKeys } from "./key_input.ts";
import { renderMonitor, type Throughput } from "./monitor_screen.ts";
import { RunSeries, sampleOf } from "./run_series.ts";
import { followState, initialView, type MonitorView, onKey } from "./monitor_view.ts";
import type { StateSource, StopTarget } from "./run_watcher.ts";

/** The terminal the monitor runs on. */
export interface TuiTerminal {
  write(text: string): void;
  size(): { columns: number; rows: number };
  setRaw(raw: boolean): void;
  /** The next chunk of keystrokes; null when input has ended. */
  read(): Promise<Uint8Array | null>;
}

/** The sparkline's interval, and how many intervals are kept (ten minutes). */
const THROUGHPUT_SECONDS = 5;
const THROUGHPUT_KEPT = 120;

const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
const LEAVE = "\x1b[0m\x1b[?25h\x1b[?1049l";

/** One monitor session. */
export class MonitorTui {
  readonly #term: TuiTerminal;
  readonly #source: StateSource;
  #view: MonitorView = initialView();
  #quit!: () => void;
  readonly #quitting = new Promise<void>((r) => this.#quit = r);
  #active = false;
  #size = { columns: 0, rows: 0 };
  readonly #series = new RunSeries(THROUGHPUT_SECONDS, THROUGHPUT_KEPT + 1);

  readonly #levels: string | undefined;

  /** `levels`: the sparkline's characters (Unicode blocks when not given). */
  constructor(term: TuiTerminal, source: StateSource, levels?: string) {
    this.#term = term;
    this.#source = source;
    this.#levels = levels;
  }

  /** Runs until the user quits (q, Ctrl-C), input ends or {@link quit} is called. */
  async run(): Promise<void> {
    const unlisten = this.#source.listen({
      state: (s) => {
        this.#series.add(sampleOf(s));
        this.#view = followState(this.#view, s);
        this.draw();
      },
      end: () => this.#ended(),
    });
    this.#term.setRaw(true);
    this.#active = true;
    try {
      this.#term.write(ENTER);
      if (this.#source.state) {
        this.#series.add(sampleOf(this.#source.state));
        this.#view = followState(this.#view, this.#source.state);
      }
      if (this.#source.isEnded) this.#ended();
      this.draw();
      for (;;) {
        const chunk = await Promise.race([this.#term.read(), this.#quitting.then(() => null)]);
        if (chunk === null) return;
        for (const key of parseKeys(chunk)) {
          const r = onKey(this.#view, key, this.#source.state);
          this.#view = r.view;
          if (r.action?.kind === "quit") return;
          if (r.action?.kind === "stop") this.#stop(r.action.target, r.action.what);
        }
        this.draw();
      }
    } finally {
      this.#active = false;
      unlisten();
      this.#term.write(LEAVE);
      this.#term.setRaw(false);
    }
  }

  /** Ends {@link run} from outside (signals). */
  quit(): void {
    this.#quit();
  }

  /** Redraws the whole screen (also after a resize). */
  draw(): void {
    if (!this.#active) return;
    const size = this.#term.size();
    const resized = size.columns !== this.#size.columns || size.rows !== this.#size.rows;
    this.#size = size;
    const f = renderMonitor(
      this.#source.state,
      this.#view,
      size.columns,
      size.rows,
      this.#throughput(),
    );
    const body = f.lines.map((l, i) => i === f.cursor ? `\x1b[7m${l}\x1b[0m` : l).join("\r\n");
    this.#term.write(`${resized ? "\x1b[2J" : ""}\x1b[H${body}`);
  }

  /** Completions per interval; the current one is left out until it is over (or the run is). */
  #throughput(): Throughput {
    const counts = this.#series.completions();
    return {
      counts: this.#view.gone ? counts.slice(-THROUGHPUT_KEPT) : counts.slice(0, -1),
      seconds: THROUGHPUT_SECONDS,
      levels: this.#levels,
    };
  }

  #ended(): void {
    const code = this.#source.state?.finished ? this.#source.state.exitCode : this.#source.exitCode;
    this.#view = {
      ...this.#view,
      gone: true,
      confirm: null,
      message: code === null
        ? "Lost the driver (the run ended or the driver died). q quits."
        : `The run has ended with exit code ${code}. q quits.`,
    };
    this.draw();
  }

  #stop(target: StopTarget, what: string): void {
    this.#source.stop(target).then((ok) => {
      this.#view = {
        ...this.#view,
        message: ok
          ? `Soft shutdown of ${what} requested.`
          : `The driver did not accept stopping ${what} (already gone?).`,
      };
      this.draw();
    });
  }
}
