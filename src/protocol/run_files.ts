/**
 * The files of a run with output prefix P, named in one place (spec §8): every role builds
 * their paths here, so a name cannot drift between the writer and its readers.
 * @module
 */

/** Mode of `P_dbUtil.sh`: it holds the run's secret. */
export const DB_UTIL_MODE = 0o700;
/** Mode of `P_url`: it holds the dashboard's access token. */
export const URL_FILE_MODE = 0o600;

/** Paths of the files of the run with output prefix `prefix`. */
export const runFiles = {
  /** One line per finished task (the record `-r` reads). */
  status: (prefix: string) => `${prefix}_status.txt`,
  /** The run's helper script: credentials, adding contexts, the monitor, the end record. */
  dbUtil: (prefix: string) => `${prefix}_dbUtil.sh`,
  /** The driver's log (unless `--logfile`). */
  driverLog: (prefix: string) => `${prefix}_driver.log`,
  /** The dashboard's URL with its token, while the run lasts (`-w`). */
  url: (prefix: string) => `${prefix}_url`,
  /** A context's log. */
  contextLog: (prefix: string, label: string) => `${prefix}_${label}.context.log`,
  /** What a context process printed (kept empty, as the original's). */
  contextWrap: (prefix: string) => `${prefix}_context_wrap.out`,
  /** A context launch's output, per launching shell (kept empty, as the original's). */
  contextLaunch: (prefix: string, pid: number | string) => `${prefix}_${pid}_context_launch.log`,
  /** An engine's log. */
  engineLog: (prefix: string, label: string, node: string, rank: number) =>
    `${prefix}_${label}_${node}_engine_${rank}.log`,
  /** What the command that started an engine (ssh, srun) printed. */
  engineWrap: (prefix: string, label: string, node: string) =>
    `${prefix}_${label}_${node}_engine_wrap.log`,
  /** An engine's captured task output (`--capture`): the bytes, tasks interleaved. */
  captureData: (prefix: string, rank: number) => `${prefix}_capture_${rank}.out`,
  /** The index of {@link runFiles.captureData}: whose bytes are where. */
  captureIndex: (prefix: string, rank: number) => `${prefix}_capture_${rank}.idx`,
} as const;

/**
 * The engine rank of a capture index named `fileName` (a directory entry) that belongs to the
 * run whose prefix ends in `prefixBase` (the prefix's last path component), or null.
 */
export function captureIndexRank(prefixBase: string, fileName: string): number | null {
  const head = `${prefixBase}_capture_`;
  if (!fileName.startsWith(head) || !fileName.endsWith(".idx")) return null;
  const rank = fileName.slice(head.length, -".idx".length);
  return /^(0|[1-9][0-9]*)$/.test(rank) ? Number(rank) : null;
}

/** The helper script's suffix: a run may be named by its prefix or by this script. */
export const DB_UTIL_SUFFIX = "_dbUtil.sh";

/** The prefix P of a run named by P or by `P_dbUtil.sh`. */
export function prefixOf(target: string): string {
  return target.endsWith(DB_UTIL_SUFFIX) ? target.slice(0, -DB_UTIL_SUFFIX.length) : target;
}
