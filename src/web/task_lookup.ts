/**
 * Per-task lookup for the dashboard: every status-file line of one task id (attempts, resumed
 * skips, per-engine tasks sharing the number), read from `P_status.txt` as it is now.
 * @module
 */
import { flagsOf, parseStatusLine } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { readLines } from "../taskfile/line_reader.ts";

/** One status line of a task, as the dashboard shows it (JSON-friendly: text, not bytes). */
export type TaskLineView = Omit<TaskRecord, "kind" | "command"> & {
  flags: string;
  command: string;
  /** The status line itself. */
  raw: string;
};

/** At most this many lines are returned for one id. */
export const MAX_LOOKUP_LINES = 100;

const TAB = 9;
const decoder = new TextDecoder();

/** True when the second TAB-separated field of `line` is exactly `id` (cheap pre-filter). */
function hasTaskId(line: Uint8Array, id: Uint8Array): boolean {
  const a = line.indexOf(TAB);
  if (a < 0 || line[a + 1 + id.length] !== TAB) return false;
  for (let i = 0; i < id.length; i++) if (line[a + 1 + i] !== id[i]) return false;
  return true;
}

/** The lines of task `taskId` in the status file at `path`, in file order (none if it is missing). */
export async function findTaskLines(path: string, taskId: number): Promise<TaskLineView[]> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const id = new TextEncoder().encode(String(taskId));
  const out: TaskLineView[] = [];
  // readLines closes the file's stream when it ends or when the loop is left early.
  for await (const bytes of readLines(file.readable)) {
    if (!hasTaskId(bytes, id)) continue;
    const raw = decoder.decode(bytes);
    const r = parseStatusLine(raw);
    if (!r) continue;
    const { kind: _kind, command, ...fields } = r;
    out.push({ flags: flagsOf(r), ...fields, command: decoder.decode(command), raw });
    if (out.length >= MAX_LOOKUP_LINES) break;
  }
  return out;
}
