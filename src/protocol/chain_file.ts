/**
 * `P_chain.txt`, beside the first prefix P of a long run (`--chain`): what `--wait P` and
 * `--state P` follow. Append-only, one TAB-separated record a line, written by the links:
 *
 *     link  <n>  <job id>  <prefix>     a link started (n = 1 for the first run)
 *     next  <job id>                    the link submitted the job of the next link
 *     cancelled  <job id>               ... and cancelled it again (its run was complete)
 *
 * @module
 */

/** One link of a chain. */
export interface ChainLink {
  n: number;
  jobId: string;
  prefix: string;
}

/** What a chain file says. */
export interface Chain {
  links: ChainLink[];
  /** The job submitted to continue the last link, unless it was cancelled; else null. */
  next: string | null;
}

/** The line of a record (with its newline). */
export function chainRecord(
  r: { t: "link"; link: ChainLink } | { t: "next" | "cancelled"; jobId: string },
): string {
  const fields = r.t === "link" ? ["link", r.link.n, r.link.jobId, r.link.prefix] : [r.t, r.jobId];
  return fields.join("\t") + "\n";
}

/** Reads a chain file's text; unknown or cut-short lines are ignored. */
export function parseChain(text: string): Chain {
  const chain: Chain = { links: [], next: null };
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  for (const line of complete.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "link" && f.length === 4 && /^\d+$/.test(f[1])) {
      chain.links.push({ n: Number(f[1]), jobId: f[2], prefix: f[3] });
      chain.next = null;
    } else if (f[0] === "next" && f.length === 2) chain.next = f[1];
    else if (f[0] === "cancelled" && f.length === 2 && chain.next === f[1]) chain.next = null;
  }
  return chain;
}
