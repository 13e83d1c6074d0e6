/**
 * Reading a task's captured output back (`disbatch --output`, the report) from the files the
 * engines write (capture_writer.ts), while the run goes on or after it: every engine's index is
 * read from where the last look stopped, so following a running task costs only what was
 * appended since.
 * @module
 */
import { captureIndexRank, runFiles } from "../protocol/run_files.ts";
import {
  AttemptCollector,
  type CaptureAttempt,
  type CaptureChunk,
  chooseAttempt,
  LineBuffer,
  parseRecord,
} from "./capture_index.ts";

/** A capture file cannot be read (other than not existing); the message names it. */
export class CaptureReadError extends Error {
  override name = "CaptureReadError";
  constructor(path: string, cause: unknown) {
    super(`cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** One engine's capture files. */
export interface CaptureFiles {
  rank: number;
  index: string;
  data: string;
}

/** An attempt together with the data file its chunks point into. */
export interface LocatedAttempt extends CaptureAttempt {
  data: string;
}

/** The capture files of the run with prefix `prefix`, by engine rank. */
export async function listCaptureFiles(prefix: string): Promise<CaptureFiles[]> {
  const cut = prefix.lastIndexOf("/");
  const dir = cut < 0 ? "." : cut === 0 ? "/" : prefix.slice(0, cut);
  const base = prefix.slice(cut + 1);
  const found: CaptureFiles[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const rank = captureIndexRank(base, e.name);
      if (rank === null) continue;
      found.push({
        rank,
        index: runFiles.captureIndex(prefix, rank),
        data: runFiles.captureData(prefix, rank),
      });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw new CaptureReadError(dir, e);
  }
  return found.sort((a, b) => a.rank - b.rank);
}

/** Bytes of `path` from `offset` to its end as it is now (an engine may be appending). */
async function readFrom(path: string, offset: number): Promise<Uint8Array> {
  try {
    using f = await Deno.open(path);
    const size = (await f.stat()).size;
    const out = new Uint8Array(Math.max(0, size - offset));
    await f.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < out.length) {
      const n = await f.read(out.subarray(got));
      if (n === null) break;
      got += n;
    }
    return out.subarray(0, got);
  } catch (e) {
    throw new CaptureReadError(path, e);
  }
}

/** Reads the chunks `chunks` of the data file `data`, concatenated. */
export async function readChunks(data: string, chunks: CaptureChunk[]): Promise<Uint8Array> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  if (total === 0) return out;
  try {
    using f = await Deno.open(data);
    let at = 0;
    for (const c of chunks) {
      await f.seek(c.offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < c.length) {
        const n = await f.read(out.subarray(at + got, at + c.length));
        if (n === null) throw new Error(`ends before byte ${c.offset + c.length}`);
        got += n;
      }
      at += c.length;
    }
  } catch (e) {
    throw new CaptureReadError(data, e);
  }
  return out;
}

interface IndexState {
  files: CaptureFiles;
  offset: number;
  lines: LineBuffer;
  attempts: AttemptCollector;
}

const decoder = new TextDecoder();

/** Follows one task's capture through every engine's index of a run. */
export class TaskCaptureReader {
  readonly #prefix: string;
  readonly #taskId: number;
  readonly #indexes = new Map<number, IndexState>();

  /** Reads task `taskId` of the run with prefix `prefix` (nothing is read before refresh()). */
  constructor(prefix: string, taskId: number) {
    this.#prefix = prefix;
    this.#taskId = taskId;
  }

  /** Whether the run has any capture files (as of the last refresh). */
  get hasFiles(): boolean {
    return this.#indexes.size > 0;
  }

  /** Reads what was appended to the indexes since the last call (and any new engine's). */
  async refresh(): Promise<void> {
    for (const files of await listCaptureFiles(this.#prefix)) {
      let s = this.#indexes.get(files.rank);
      if (!s) {
        s = {
          files,
          offset: 0,
          lines: new LineBuffer(),
          attempts: new AttemptCollector(this.#taskId),
        };
        this.#indexes.set(files.rank, s);
      }
      const bytes = await readFrom(files.index, s.offset);
      s.offset += bytes.length;
      // The index is ASCII: a chunk boundary never splits a character.
      for (const line of s.lines.push(decoder.decode(bytes))) {
        const r = parseRecord(line);
        if (r) s.attempts.add(r);
      }
    }
  }

  /** The attempt to show (see chooseAttempt), or null when the task has none. */
  chosen(): LocatedAttempt | null {
    const all: LocatedAttempt[] = [];
    for (const s of this.#indexes.values()) {
      for (const a of s.attempts.attempts.get(this.#taskId) ?? []) {
        all.push({ ...a, data: s.files.data });
      }
    }
    return chooseAttempt(all);
  }
}

/** Every task's attempts in the run's captures (each index read once), for the report. */
export async function readAllAttempts(prefix: string): Promise<Map<number, LocatedAttempt[]>> {
  const byTask = new Map<number, LocatedAttempt[]>();
  for (const files of await listCaptureFiles(prefix)) {
    const collector = new AttemptCollector();
    for (const line of new LineBuffer().push(decoder.decode(await readFrom(files.index, 0)))) {
      const r = parseRecord(line);
      if (r) collector.add(r);
    }
    for (const [id, list] of collector.attempts) {
      const located = list.map((a) => ({ ...a, data: files.data }));
      byTask.set(id, [...byTask.get(id) ?? [], ...located]);
    }
  }
  return byTask;
}
