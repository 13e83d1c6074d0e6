/**
 * The runs of one long run, link after link: the first run has prefix P, the runs that
 * continue it (`--link-of P`, what `--drain-before` prints and `--chain` submits) have
 * `P_link2`, `P_link3`, ... Each link reads every earlier link's status file as with `-r`, so
 * it runs only what no earlier link finished. Pure: whether a file exists is injected.
 * @module
 */
import { runFiles } from "../protocol/run_files.ts";

/** `--link-of P` names no run: P has no status file. */
export class ChainLinkError extends Error {
  override name = "ChainLinkError";
}

/** The prefix of link `n` (1 = the first run) of the chain whose first prefix is `root`. */
export function linkPrefix(root: string, n: number): string {
  return n === 1 ? root : `${root}_link${n}`;
}

/** The next link of chain `root`: its number and prefix, and the status files it resumes from. */
export interface NextLink {
  n: number;
  prefix: string;
  resume: string[];
}

/**
 * The link after the last one with a status file. Throws {@link ChainLinkError} when the first
 * run has none (`root` is not a run's prefix).
 */
export function nextLink(root: string, exists: (path: string) => boolean): NextLink {
  const resume: string[] = [];
  let n = 1;
  for (; exists(runFiles.status(linkPrefix(root, n))); n++) {
    resume.push(runFiles.status(linkPrefix(root, n)));
  }
  if (n === 1) {
    throw new ChainLinkError(
      `argument --link-of: no run has the prefix ${root} (${runFiles.status(root)} is missing)`,
    );
  }
  return { n, prefix: linkPrefix(root, n), resume };
}
