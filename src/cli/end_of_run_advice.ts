/**
 * What the driver says at the end of a run that stopped with tasks left: why, how many, and
 * how to go on — resuming only where a resume can skip something.
 * @module
 */
import type { RunOutcome } from "../driver/driver.ts";

/** What is known at the end of a run that some context ended early. */
export interface RunEnd {
  stoppedBy: RunOutcome["stoppedBy"];
  /** Tasks that did not run (counted, plus any left unread in a regular file). */
  unrun: number;
  /** `N task(s) did not run`, or `at least N …` when the source was not read to its end. */
  unrunText: string;
  /** Records in this run's status file. */
  statusRecords: number;
  statusPath: string;
  scriptPath: string;
  /** The failed auto-launched context already printed why (a `disbatch: …` line). */
  contextExplained: boolean;
}

/** The stderr lines for the end of a run (none for runs that did not stop early). */
export function endOfRunAdvice(e: RunEnd): string[] {
  // `-r` skips only what this status file records; with no record it would rerun everything.
  const resume = e.statusRecords > 0 ? `resume with -r ${e.statusPath}` : null;
  switch (e.stoppedBy) {
    case "context_failed":
      // Nothing ran and the context said why (e.g. ssh could not reach the host): that line
      // is the whole story.
      if (e.contextExplained && e.statusRecords === 0) return [];
      return [
        "Some engine processes failed -- please check the logs",
        // Tasks must not vanish silently when the only context dies.
        ...(e.unrun > 0 ? [`disbatch: ${e.unrunText}${resume ? `; ${resume}` : ""}`] : []),
      ];
    case "starved":
      return [
        `disbatch: every execution context has ended but ${e.unrunText};` +
        ` add resources with ${e.scriptPath}${resume ? ` or ${resume}` : ""}`,
      ];
    default:
      return [];
  }
}
