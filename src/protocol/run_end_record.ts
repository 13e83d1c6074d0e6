/**
 * How a run's end is recorded in its helper script `P_dbUtil.sh`, for `disbatch --state` and
 * `--wait` once the driver is gone: the exit code, and the driver's final {@link RunState} so a
 * finished run reads like a live one (same fields: `total`, `engines`, …).
 * @module
 */
import type { RunState } from "./messages.ts";

const EXIT = "# disbatch-exit-code: ";
const STATE = "# disbatch-final-state: ";

/** The comment lines the driver appends to the script when the run ends. */
export function renderRunEnd(exitCode: number, state: RunState): string {
  // One line whatever the state holds: JSON escapes newlines but not U+2028/U+2029, which
  // multi-line regular expressions (the script's other readers) also take as line ends.
  const json = JSON.stringify(state).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return `${EXIT}${exitCode}\n${STATE}${json}\n`;
}

/** A script's record of the run's end. */
export interface RunEnd {
  /** Null while the run has not ended (or its driver was killed). */
  exitCode: number | null;
  /** The final state, when recorded (runs ended by older versions have only the exit code). */
  state: RunState | null;
}

/** Reads {@link renderRunEnd}'s lines back from a script's text. */
export function parseRunEnd(text: string): RunEnd {
  const end: RunEnd = { exitCode: null, state: null };
  for (const line of text.split("\n")) {
    if (end.exitCode === null && line.startsWith(EXIT) && /^-?\d+$/.test(line.slice(EXIT.length))) {
      end.exitCode = Number(line.slice(EXIT.length));
    } else if (end.exitCode !== null && end.state === null && line.startsWith(STATE)) {
      try {
        end.state = JSON.parse(line.slice(STATE.length)) as RunState;
      } catch {
        // a truncated record (disk full): the exit code alone still tells how the run ended
      }
    }
  }
  return end;
}
