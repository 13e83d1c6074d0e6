/**
 * Where a context's hosts come from (spec §2, §9.3.1): `-s`, else the Slurm allocation when
 * `SLURM_JOBID` is set, else `DISBATCH_SSH_NODELIST`. The driver asks this before anything runs,
 * so that a run that has nowhere to go, or a malformed host list, stops with one line.
 * @module
 */
import { NodeListError, parseNodeList } from "./node_slots.ts";

/** Neither `-s`, nor Slurm, nor `DISBATCH_SSH_NODELIST`; the original's sentence, with a hint. */
export const NO_ENVIRONMENT = "Cannot determine batch execution environment. Give hosts with -s " +
  "(e.g. -s localhost:4 for 4 slots here), run inside a Slurm allocation, or set " +
  "DISBATCH_SSH_NODELIST.";

/** No source of hosts at all. */
export class NoEnvironmentError extends Error {
  override name = "NoEnvironmentError";
  constructor() {
    super(NO_ENVIRONMENT);
  }
}

/** The hosts of a context: "slurm", or the SSH host list (comma-joined `-s` values or the env). */
export type HostSource = { kind: "slurm" } | { kind: "ssh"; list: string; fromEnv: boolean };

/**
 * Picks the source of hosts; throws NoEnvironmentError for none, NodeListError (naming the
 * variable) for a malformed `DISBATCH_SSH_NODELIST`.
 */
export function hostSource(
  sshNode: string[],
  env: (name: string) => string | undefined,
): HostSource {
  if (sshNode.length > 0) return { kind: "ssh", list: sshNode.join(","), fromEnv: false };
  if (env("SLURM_JOBID") !== undefined) return { kind: "slurm" };
  const list = env("DISBATCH_SSH_NODELIST");
  if (list === undefined) throw new NoEnvironmentError();
  try {
    parseNodeList(list, "localhost");
  } catch (e) {
    if (!(e instanceof NodeListError)) throw e;
    throw new NodeListError(`DISBATCH_SSH_NODELIST: ${e.message}`, { cause: e });
  }
  return { kind: "ssh", list, fromEnv: true };
}
