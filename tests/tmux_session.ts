/**
 * A terminal for end-to-end tests: a detached tmux session of a given size on a private server
 * socket, typed into with send-keys and read with capture-pane.
 * @module
 */
import { uniqueMarker } from "./background_run.ts";

const decoder = new TextDecoder();

/** One tmux server with one session. */
export class TmuxSession {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Runs `script` with bash in a new `columns`×`rows` session. */
  static async start(script: string, columns = 80, rows = 24): Promise<TmuxSession> {
    const t = new TmuxSession(`disbatch-test-${uniqueMarker()}`);
    await t.tmux(
      "new-session",
      "-d",
      "-x",
      String(columns),
      "-y",
      String(rows),
      "bash --norc --noprofile -c " + shellWord(script),
    );
    return t;
  }

  /** Runs a tmux command on this server; returns its stdout. */
  async tmux(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      env: { TERM: Deno.env.get("TERM") || "xterm-256color" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.code !== 0) {
      throw new Error(`tmux ${args.join(" ")}: ${decoder.decode(out.stderr).trim()}`);
    }
    return decoder.decode(out.stdout);
  }

  /** Opens another window running `script` (it becomes the current one). */
  async newWindow(script: string): Promise<void> {
    await this.tmux("new-window", "bash --norc --noprofile -c " + shellWord(script));
  }

  /** The current window's screen as text lines (wrapped lines joined, trailing blanks removed). */
  async screen(): Promise<string[]> {
    const text = await this.tmux("capture-pane", "-p", "-J");
    return text.replace(/\n$/, "").split("\n").map((l) => l.trimEnd());
  }

  /** Types keys (tmux key names such as `Down`, `C-c`, or literal text with `-l`). */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", ...keys);
  }

  /** Waits until the screen (lines joined with `\n`) matches `re`; returns the lines. */
  async waitFor(re: RegExp, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.screen();
      if (re.test(lines.join("\n"))) return lines;
      if (Date.now() > deadline) {
        throw new Error(`screen never matched ${re}; it shows:\n${lines.join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A tmux format value of the current pane, e.g. `#{alternate_on}`. */
  async display(format: string): Promise<string> {
    return (await this.tmux("display-message", "-p", format)).trim();
  }

  /** Ends the server and everything running in it. */
  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => "");
  }
}

/** Bash single-quoting. */
export function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
