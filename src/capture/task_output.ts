/**
 * What `disbatch --output P TASKID [--stderr] [--follow]` does: hands one task's captured
 * bytes to `write` as they are found, during the run or after it. With `follow` it polls the
 * run's indexes until the task's end record appears (then the output is complete) or the run
 * ends without it.
 * @module
 */
import { readChunks, TaskCaptureReader } from "./capture_reader.ts";
import type { CaptureStream } from "./capture_index.ts";

/** How {@link taskOutput} ended. */
export type TaskOutputEnd =
  /** All the task's captured bytes were written (it ended), or, without follow, all so far. */
  | "done"
  /** The run has no capture files at all. */
  | "no_capture"
  /** No engine's index has the task (unknown id, not captured, no output or end yet). */
  | "no_task"
  /** Following, the run ended while the task had not (its engine was lost or killed). */
  | "unfinished";

/** Options of {@link taskOutput}. */
export interface TaskOutputOptions {
  prefix: string;
  taskId: number;
  stream: CaptureStream;
  follow: boolean;
  /** Gets the bytes, in order. */
  write(bytes: Uint8Array): void;
  /** Gets a line for a person (e.g. the task was started again on another engine). */
  note(line: string): void;
  /** Whether the run has ended (its driver recorded its exit code). */
  runEnded(): Promise<boolean>;
  /** Waits between two looks at the indexes while following. */
  pause(): Promise<void>;
}

/** Writes task `taskId`'s captured `stream` (see the module doc). */
export async function taskOutput(o: TaskOutputOptions): Promise<TaskOutputEnd> {
  const reader = new TaskCaptureReader(o.prefix, o.taskId);
  let shown: string | null = null;
  let printed = 0;
  for (;;) {
    // Asked before reading: whatever the engines wrote before the run's end is then read.
    const over = o.follow ? await o.runEnded() : true;
    await reader.refresh();
    if (!reader.hasFiles && !o.follow) return "no_capture";
    const a = reader.chosen();
    if (a) {
      const key = `${a.data} ${a.startedMs}`;
      if (shown !== null && key !== shown) {
        o.note(`task ${o.taskId} was started again; its output follows from the start`);
        printed = 0;
      }
      shown = key;
      const chunks = a[o.stream].slice(printed);
      printed += chunks.length;
      const bytes = await readChunks(a.data, chunks);
      if (bytes.length > 0) o.write(bytes);
      if (a.end) return "done";
      if (!o.follow) return "done";
    } else if (!o.follow) {
      return "no_task";
    }
    if (over) return !reader.hasFiles ? "no_capture" : a ? "unfinished" : "no_task";
    await o.pause();
  }
}
