/**
 * The run's helper script `P_dbUtil.sh` (spec §8.1): a bash script, mode 0700, that adds a
 * context to the running driver (`P_dbUtil.sh -s host:4`, or `sbatch P_dbUtil.sh`), starts the
 * monitor (`--mon`) or an engine (`--engine`). It also carries the run's credentials — driver
 * addresses and the secret — in comment lines, so they never appear on a command line or in
 * an environment; whoever can read the script (its owner) can join the run.
 * @module
 */

/** What a context, engine or monitor needs to reach the driver. */
export interface RunCredentials {
  /** Driver addresses (`host:port`), best first for remote peers. */
  addresses: string[];
  /** Address tasks see as `DISBATCH_KVSSTCP_HOST`. */
  primary: string;
  /** Host name of the driver (peers on that host use loopback first). */
  driverHost: string;
  secret: string;
  /** Absolute output prefix P. */
  prefix: string;
}

/** The script is not a disbatch helper or lacks a field. */
export class DbUtilFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DbUtilFormatError";
  }
}

/** Bash single-quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=+@%-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Renders the script. `self` is the argv prefix that runs this program. */
export function renderDbUtil(c: RunCredentials, self: string[], scriptPath: string): string {
  const q = shellQuote;
  return `#!/bin/bash
# disbatch helper for the run ${c.prefix}
#   ${scriptPath} [context options]   add execution resources (e.g. -s host:4, or submit with sbatch)
#   ${scriptPath} --mon               watch the run
# Keep this file private (mode 0700): the lines below let their reader join the run.
# disbatch-addresses: ${c.addresses.join(" ")}
# disbatch-driver-host: ${c.driverHost}
# disbatch-secret: ${c.secret}
# disbatch-prefix: ${c.prefix}
export DISBATCH_KVSSTCP_HOST=${q(c.primary)}
self=(${self.map(q).join(" ")})
script=${q(scriptPath)}
case "$1" in
  --mon) shift; exec "\${self[@]}" --mon --db-util "$script" "$@" ;;
  --engine) shift; exec "\${self[@]}" --engine --db-util "$script" "$@" ;;
  --cleanup) shift; exec "\${self[@]}" --cleanup "$@" ;;
esac
# A context started from a task belongs to the run, not to that task's engine: without its tag,
# the engine's end (which ends everything tagged) leaves it running.
unset _DISBATCH_ENGINE
exec "\${self[@]}" --context "$script" "$@" < /dev/null >> ${
    q(c.prefix)
  }_\${BASHPID}_context_launch.log
`;
}

/** Reads the credentials back from a script's text. */
export function parseDbUtil(text: string): RunCredentials {
  const field = (name: string): string => {
    const m = text.match(new RegExp(`^# disbatch-${name}: (.*)$`, "m"));
    if (!m) throw new DbUtilFormatError(`not a disbatch helper script (no ${name} line)`);
    return m[1].trim();
  };
  const addresses = field("addresses").split(/\s+/).filter((a) => a.length > 0);
  const primary = text.match(/^export DISBATCH_KVSSTCP_HOST=(.*)$/m)?.[1]?.replace(/^'|'$/g, "");
  return {
    addresses,
    primary: primary ?? addresses[0],
    driverHost: field("driver-host"),
    secret: field("secret"),
    prefix: field("prefix"),
  };
}
