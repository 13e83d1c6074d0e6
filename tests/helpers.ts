/**
 * Shared helpers of the end-to-end tests: run the real program through `scripts/disbatch`,
 * read status files, project their volatile fields away.
 * @module
 */
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
/** The run-from-source launcher. */
export const LAUNCHER = `${ROOT}/scripts/disbatch`;

/** What a finished command left. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh empty directory, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "disbatch-test-" });
  return { dir, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

/** Runs `fn` in a fresh empty directory, removed afterwards whatever `fn` does. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = await tempDir();
  try {
    return await fn(dir);
  } finally {
    await cleanup();
  }
}

/** The status file's header line (`--status-header`), without its newline. */
export const STATUS_HEADER =
  "ROE[ PSZ]\tTaskID\tLineNum\tRepeatIndex\tNode\tPID\tReturnCode\tElapsed\tStart\tFinish\tBytesOfLeakedOutput\tOutputSnippet\tBytesOfLeakedError\tErrorSnippet\tCommand";

/** A task that waits until the file `go` exists in its directory: the test creates it. */
export const WAIT_GO = "until [ -e go ]; do sleep 0.05; done";

/** Runs `scripts/disbatch args…` in `cwd` to completion. */
export async function disbatch(
  args: string[],
  opts: { cwd: string; stdin?: Uint8Array | string; env?: Record<string, string> },
): Promise<RunResult> {
  const child = new Deno.Command(LAUNCHER, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Writes a task file from lines given as byte strings (latin-1 → bytes) or text. */
export async function writeTasks(path: string, content: string | Uint8Array): Promise<void> {
  await Deno.writeFile(
    path,
    typeof content === "string" ? new TextEncoder().encode(content) : content,
  );
}

/** Bytes from a string whose char codes are bytes (for non-UTF-8 task files). */
export function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Status file lines (without newlines) of the run with prefix `p`. */
export async function statusLines(p: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${p}_status.txt`);
  if (text === "") return [];
  if (!text.endsWith("\n")) throw new Error("status file does not end with a newline");
  return text.slice(0, -1).split("\n");
}

/** The spec's projection (§14): fields 1,2,3,4,7,11–15 joined by `|`. */
export function project(line: string): string {
  const f = splitStatus(line);
  return [f[0], f[1], f[2], f[3], f[6], f[10], f[11], f[12], f[13], f[14]].join("|");
}

/** Splits a status line into its 15 fields (the command may contain TABs). */
export function splitStatus(line: string): string[] {
  const f = line.split("\t");
  if (f.length < 15) throw new Error(`not a status line: ${JSON.stringify(line)}`);
  return [...f.slice(0, 14), f.slice(14).join("\t")];
}

/** Projection sorted by (TaskID, Flags), as the spec compares files. */
export function sortedProjection(lines: string[]): string[] {
  return sortProjected(lines.map(project));
}

/** Sorts projected lines by (TaskID, Flags). */
export function sortProjected(projected: string[]): string[] {
  return [...projected].sort((a, b) => {
    const [fa, ia] = a.split("|");
    const [fb, ib] = b.split("|");
    return Number(ia) - Number(ib) || (fa < fb ? -1 : fa > fb ? 1 : 0);
  });
}

/** Finds the single file in `dir` whose name matches `re`. */
export async function findOne(dir: string, re: RegExp): Promise<string> {
  const hits: string[] = [];
  for await (const e of Deno.readDir(dir)) if (re.test(e.name)) hits.push(`${dir}/${e.name}`);
  if (hits.length !== 1) throw new Error(`expected one file matching ${re} in ${dir}, got ${hits}`);
  return hits[0];
}

/** Names of the files in `dir`, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** PIDs of live (non-zombie) processes whose command line contains `needle`. */
export async function livePids(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
      if (cmd.includes(needle)) pids.push(Number(e.name));
    } catch {
      // process went away
    }
  }
  return pids;
}

/** True when `cmd args` runs and succeeds (e.g. `python3 --version`): is the tool installed? */
export async function commandWorks(cmd: string, args: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return r.success;
  } catch {
    return false;
  }
}
