/**
 * The output prefix P (spec §3): where every file of the run goes and what the run is called.
 * @module
 */
import { basename, dirname, resolve } from "./posix_path.ts";

/** `-p` names a directory that does not exist. */
export class PrefixError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PrefixError";
  }
}

/** Task-source name: basename with `<`/`>` trimmed (`-` is `stdin`). */
export function taskSourceName(taskfile: string | null): string {
  if (taskfile === null) return "STREAM";
  if (taskfile === "-") return "stdin";
  return basename(taskfile).replace(/^[<>]+|[<>]+$/g, "");
}

function realpathLoose(p: string): string {
  // Python's realpath resolves what exists and keeps the rest.
  const abs = resolve(p);
  try {
    return Deno.realPathSync(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return resolve(realpathLoose(parent), basename(abs));
  }
}

function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}

/** Local time as `yyMMddHHmmss`. */
function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getFullYear() % 100)}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${
    p(d.getMinutes())
  }${p(d.getSeconds())}`;
}

/** Resolves P from the `-p` value; throws {@link PrefixError} as the original does. */
export function resolvePrefix(prefixArg: string, name: string, now = new Date()): string {
  const rp = realpathLoose(prefixArg);
  if (isDir(rp)) {
    const rnd = String(Math.floor(Math.random() * 1000)).padStart(3, "0");
    return `${rp}/${name}_disBatch_${stamp(now)}_${rnd}`;
  }
  if (prefixArg.endsWith("/")) throw new PrefixError(`Directory ${rp} does not exist.`);
  const dir = dirname(rp);
  if (!isDir(dir)) throw new PrefixError(`Directory ${dir} does not exist.`);
  return rp;
}
