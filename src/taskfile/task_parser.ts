/**
 * Classification of logical task-source lines into task items (spec §4.3–§4.7), including the
 * strict port behaviour for bad directives and the Python-compatible lenient mode.
 * @module
 */
import { MAX_COMMAND_BYTES, type NormalItem, type TaskItem } from "./task_item.ts";
import { quoteLine } from "./quote_line.ts";
import { parseResources, type TaskResources } from "./task_resources.ts";

/** A bad directive in strict mode; the message is `<file>:<line>: <detail>` on one line. */
export class TaskFileError extends Error {
  /** Name of the task source as given to the parser. */
  readonly file: string;
  /** Line number (stream index, §4.2) of the offending line. */
  readonly line: number;

  /** Builds the error for `file`:`line` with a one-line `detail`. */
  constructor(file: string, line: number, detail: string, options?: ErrorOptions) {
    super(`${file}:${line}: ${detail}`, options);
    this.name = "TaskFileError";
    this.file = file;
    this.line = line;
  }
}

/** Something lenient mode skipped; `message` is the text Python logs (without file/line). */
export interface TaskFileWarning {
  file: string;
  line: number;
  message: string;
}

/** Options of {@link TaskParser}. */
export interface TaskParserOptions {
  /** Name used in error messages (the task file path, or e.g. `<stdin>`). */
  file: string;
  /**
   * Keep the Python behaviour (§4.3 step 8, §4.6): unknown or malformed directives are
   * skipped with a warning, and a late PERENGINE ends the task source with a warning.
   */
  lenient?: boolean;
  /** Receives lenient-mode warnings. */
  onWarning?: (warning: TaskFileWarning) => void;
  /**
   * Only classify lines (for checking a file before a run): commands, keys and prefixes are
   * not copied, so checking a huge file allocates next to nothing (items carry empty bytes).
   */
  checkOnly?: boolean;
  /**
   * A command without PREFIX and SUFFIX is a view of the text fed, not a copy: for a caller
   * that is done with each item before the text's buffer changes (resume's check of a task
   * file before its run compares each task and drops it), or that copies what it keeps with
   * {@link TaskParser.keep} (a resumed run: the commands of skipped tasks are never copied).
   */
  viewCommands?: boolean;
}

/*
 * Directive regexes are Python's, applied to a windows-1252 decoding of the line: that maps
 * every byte to exactly one UTF-16 unit, so match indices are byte offsets, and no non-ASCII
 * unit case-folds to ASCII. `WS` is Python's bytes `\s`.
 */
const WS = "[ \\t\\n\\r\\f\\v]";
const PERENGINE_RE = /^#DISBATCH PERENGINE (START|STOP) /i;
const PREFIX_RE = /^#DISBATCH PREFIX /i;
const SUFFIX_RE = /^#DISBATCH SUFFIX /i;
/**
 * `#DISBATCH PREFIX` without its trailing space (editors strip it): the original ignores it as
 * unknown, keeping the old prefix; disbatch takes it as the reset it is meant to be, except
 * with `--lenient-directives`.
 */
const BARE_AFFIX_RE = /^#DISBATCH (PREFIX|SUFFIX)$/i;
const REPEAT_RE = new RegExp(
  `^#DISBATCH REPEAT${WS}+([0-9]+)(?:${WS}+start${WS}+([0-9]+))?` +
    `(?:${WS}+step${WS}+([0-9]+))?(?: (.+))?${WS}*$`,
  "ids",
);
const BARRIER_RE = /^#DISBATCH BARRIER(?: (CHECK))?(?: (.*)$)?/ds;
const KEYWORD_RE = /^#DISBATCH ([^ \t\n\r\f\v]*)/;
const CASELESS_KEYWORDS = new Set([
  "PREFIX",
  "SUFFIX",
  "REPEAT",
  "PERENGINE",
  "TIMEOUT",
  "RESOURCES",
  "CAPTURE",
]);
/** disbatch's own directive: `#DISBATCH TIMEOUT <seconds>|none|default` for the tasks below. */
const TIMEOUT_RE = /^#DISBATCH TIMEOUT[ \t]+([0-9]+(?:\.[0-9]*)?|\.[0-9]+|none|default)[ \t]*$/i;
/** disbatch's own directive: `#DISBATCH RESOURCES cores=N gpus=N mem=SIZE|default` (task_resources.ts). */
const RESOURCES_RE = /^#DISBATCH RESOURCES(?:[ \t]+(.*))?$/is;
/** disbatch's own directive: `#DISBATCH CAPTURE on|off|default` for the tasks below. */
const CAPTURE_RE = /^#DISBATCH CAPTURE[ \t]+(on|off|default)[ \t]*$/i;

const DIRECTIVE = new TextEncoder().encode("#DISBATCH");
const EMPTY = new Uint8Array(0);
const cp1252 = new TextDecoder("windows-1252");
/** Slab size for command bytes (see TaskParser.#alloc). */
const POOL_BYTES = 64 * 1024;

/**
 * Stateful parser for one task source. Feed it every logical line in order with its line
 * number, then call {@link TaskParser.end} once at end of input.
 */
export class TaskParser {
  readonly #file: string;
  readonly #lenient: boolean;
  readonly #checkOnly: boolean;
  readonly #viewCommands: boolean;
  readonly #onWarning: ((warning: TaskFileWarning) => void) | undefined;
  #prefix: Uint8Array = EMPTY;
  #suffix: Uint8Array = EMPTY;
  /** Their lengths (kept apart: check-only mode does not copy their bytes). */
  #prefixBytes = 0;
  #suffixBytes = 0;
  #nextTaskId = 0;
  #starts = 0;
  #stops = 0;
  #perEngineOpen = true;
  #stopped = false;
  /** Set by `#DISBATCH TIMEOUT`: seconds, Infinity for none, undefined for the run's default. */
  #timeout: number | undefined = undefined;
  /** Set by `#DISBATCH RESOURCES`; undefined: one slot per task. */
  #resources: TaskResources | undefined = undefined;
  /** Set by `#DISBATCH CAPTURE`: on or off, undefined for the run's `--capture`. */
  #capture: boolean | undefined = undefined;
  #pool = new Uint8Array(0);
  #poolUsed = 0;
  /** The view {@link keep} copied last, and its copy. */
  #keptView: Uint8Array | null = null;
  #kept: Uint8Array = EMPTY;

  /** Creates a parser in its initial state (empty prefix/suffix, per-engine block open). */
  constructor(options: TaskParserOptions) {
    this.#file = options.file;
    this.#lenient = options.lenient ?? false;
    this.#checkOnly = options.checkOnly ?? false;
    this.#viewCommands = options.viewCommands ?? false;
    this.#onWarning = options.onWarning;
  }

  /**
   * True once a lenient-mode late PERENGINE ended the source: later input is ignored and
   * the reader should stop reading.
   */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The task id the next normal task or barrier will get. */
  get nextTaskId(): number {
    return this.#nextTaskId;
  }

  /**
   * Classifies one logical line `text` (no `\r`/`\n`) from line `line`. All state (prefix,
   * task ids, per-engine block) is updated before this returns, so lines may be fed without
   * consuming earlier results. The result is materialised lazily: a REPEAT of n yields its n
   * items one by one from a re-iterable view and allocates nothing per instance up front.
   * Items never alias `text`, except a command with `viewCommands`; the n items of a REPEAT
   * share one `command` array. Other byte arrays in items are views into shared 64 KiB slabs
   * (use `byteOffset` with `.buffer`) and must not be modified.
   *
   * @throws {TaskFileError} in strict mode for an unknown or malformed `#DISBATCH ` directive
   * or a PERENGINE directive after the per-engine block was closed.
   */
  feed(text: Uint8Array, line: number): Iterable<TaskItem> {
    if (this.#stopped) return [];
    const directive = startsWith(text, DIRECTIVE);
    if (!directive) {
      if (isComment(text)) return [];
      const out = this.#closeBlock();
      this.#checkSize(this.#affixed(text.length), line, out);
      out.push(this.#normal(text, line));
      return out;
    }
    const s = cp1252.decode(text);

    const pe = PERENGINE_RE.exec(s);
    if (pe) {
      if (!this.#perEngineOpen) {
        const detail = "#DISBATCH PERENGINE is only allowed before the first task";
        if (!this.#lenient) throw new TaskFileError(this.#file, line, detail);
        this.#warn(line, "Per-engine tasks not permitted after normal tasks.");
        this.#stopped = true;
        return [];
      }
      this.#checkSize(this.#affixed(text.length - pe[0].length), line, []);
      const kind = pe[1].toUpperCase() === "START" ? "START" : "STOP";
      const index = kind === "START" ? this.#starts++ : this.#stops++;
      return [{ kind, index, line, command: this.#affix(text.subarray(pe[0].length)) }];
    }
    if (PREFIX_RE.test(s)) {
      this.#prefix = this.#copy(text.subarray(17));
      this.#prefixBytes = text.length - 17;
      return [];
    }
    if (SUFFIX_RE.test(s)) {
      this.#suffix = this.#copy(text.subarray(17));
      this.#suffixBytes = text.length - 17;
      return [];
    }
    const bare = this.#lenient ? null : BARE_AFFIX_RE.exec(s);
    if (bare) {
      if (bare[1].toUpperCase() === "PREFIX") this.#prefix = EMPTY;
      else this.#suffix = EMPTY;
      return [];
    }
    const to = TIMEOUT_RE.exec(s);
    if (to) {
      const v = to[1].toLowerCase();
      this.#timeout = v === "default" || Number(v) === 0
        ? undefined
        : v === "none"
        ? Infinity
        : Number(v);
      return [];
    }
    const res = RESOURCES_RE.exec(s);
    if (res) {
      const r = parseResources(res[1] ?? "");
      if (typeof r === "string") {
        if (!this.#lenient) {
          throw new TaskFileError(this.#file, line, `malformed #DISBATCH RESOURCES: ${r}`);
        }
        this.#warn(line, `Malformed #DISBATCH RESOURCES (${r}): ${quoteLine(text)}`);
        return [];
      }
      this.#resources = r ?? undefined;
      return [];
    }
    const cap = CAPTURE_RE.exec(s);
    if (cap) {
      const v = cap[1].toLowerCase();
      this.#capture = v === "default" ? undefined : v === "on";
      return [];
    }

    const out = this.#closeBlock();
    const rep = REPEAT_RE.exec(s);
    if (rep) {
      const count = Number(rep[1]);
      const start = rep[2] === undefined ? 0 : Number(rep[2]);
      const step = rep[3] === undefined ? 1 : Number(rep[3]);
      const [from, to] = rep.indices?.[4] ?? [0, 0];
      this.#checkSize(this.#affixed(to - from), line, out);
      const command = this.#affix(text.subarray(from, to));
      const firstId = this.#nextTaskId;
      this.#nextTaskId += count;
      const timeout = this.#timeout;
      const resources = this.#resources;
      const capture = this.#capture;
      return {
        *[Symbol.iterator]() {
          yield* out;
          for (let i = 0; i < count; i++) {
            const item: NormalItem = {
              kind: "N",
              taskId: firstId + i,
              line,
              repeat: start + i * step,
              command,
            };
            if (timeout !== undefined) item.timeout = timeout;
            if (resources !== undefined) item.resources = resources;
            if (capture !== undefined) item.capture = capture;
            yield item;
          }
        },
      };
    }

    const bar = BARRIER_RE.exec(s);
    if (bar) {
      this.#checkSize(text.length, line, out);
      const [from, to] = bar.indices?.[2] ?? [0, 0];
      out.push({
        kind: bar[1] ? "C" : "B",
        taskId: this.#nextTaskId++,
        line,
        key: to > from ? this.#copy(text.subarray(from, to)) : null,
        text: this.#copy(text),
      });
      return out;
    }

    if (text[DIRECTIVE.length] === 0x20) {
      const keyword = (KEYWORD_RE.exec(s)?.[1] ?? "").toUpperCase();
      const what = CASELESS_KEYWORDS.has(keyword)
        ? `malformed #DISBATCH ${keyword}`
        : "unknown #DISBATCH directive";
      if (!this.#lenient) {
        // A rejected line changes nothing (a task server rejects the value and goes on).
        if (out.length > 0) this.#perEngineOpen = true;
        throw new TaskFileError(this.#file, line, `${what}: ${quoteLine(text)}`);
      }
      this.#warn(line, `Unknown #DISBATCH directive: ${quoteLine(text)}`);
      return out;
    }
    out.push(this.#normal(text, line));
    return out;
  }

  /** Call once at end of input: closes a per-engine block that no line closed. */
  end(): TaskItem[] {
    return this.#closeBlock();
  }

  #closeBlock(): TaskItem[] {
    if (!this.#perEngineOpen) return [];
    this.#perEngineOpen = false;
    return [{ kind: "PEND" }];
  }

  #normal(text: Uint8Array, line: number): NormalItem {
    const item: NormalItem = {
      kind: "N",
      taskId: this.#nextTaskId++,
      line,
      repeat: -1,
      command: this.#affix(text),
    };
    if (this.#timeout !== undefined) item.timeout = this.#timeout;
    if (this.#resources !== undefined) item.resources = this.#resources;
    if (this.#capture !== undefined) item.capture = this.#capture;
    return item;
  }

  /** Length of prefix + body + suffix. */
  #affixed(bodyBytes: number): number {
    return this.#prefixBytes + bodyBytes + this.#suffixBytes;
  }

  /**
   * A task longer than {@link MAX_COMMAND_BYTES} could not travel to an engine: an error at
   * its line, before any state changes (`closed`: what this line's feed closed so far).
   */
  #checkSize(bytes: number, line: number, closed: TaskItem[]): void {
    if (bytes <= MAX_COMMAND_BYTES) return;
    // A rejected line changes nothing (a task server rejects the value and goes on).
    if (closed.length > 0) this.#perEngineOpen = true;
    throw new TaskFileError(
      this.#file,
      line,
      `task of ${bytes} bytes (with PREFIX and SUFFIX) exceeds the limit of ${MAX_COMMAND_BYTES} bytes`,
    );
  }

  /** prefix + body + suffix, copied (never a view of the caller's buffers). */
  #affix(body: Uint8Array): Uint8Array {
    if (this.#checkOnly) return EMPTY;
    const p = this.#prefix;
    const q = this.#suffix;
    if (this.#viewCommands && p.length === 0 && q.length === 0) return body;
    const out = this.#alloc(p.length + body.length + q.length);
    out.set(p, 0);
    out.set(body, p.length);
    out.set(q, p.length + body.length);
    return out;
  }

  /**
   * The command of an item to hold past the next change of the text fed: with viewCommands a
   * copy (one for the items of a REPEAT, which share their command), else the command itself.
   */
  keep(command: Uint8Array): Uint8Array {
    if (!this.#viewCommands) return command;
    if (command !== this.#keptView) {
      this.#keptView = command;
      this.#kept = this.#copy(command);
    }
    return this.#kept;
  }

  /**
   * Carves small arrays out of a shared slab: allocating each typed array separately costs
   * several times more than parsing the line, which matters for million-line files.
   */
  #alloc(length: number): Uint8Array {
    if (this.#checkOnly) return EMPTY;
    if (length > POOL_BYTES / 16) return new Uint8Array(length);
    if (this.#poolUsed + length > this.#pool.length) {
      this.#pool = new Uint8Array(POOL_BYTES);
      this.#poolUsed = 0;
    }
    return this.#pool.subarray(this.#poolUsed, this.#poolUsed += length);
  }

  #copy(bytes: Uint8Array): Uint8Array {
    if (this.#checkOnly) return EMPTY;
    const out = this.#alloc(bytes.length);
    out.set(bytes);
    return out;
  }

  #warn(line: number, message: string): void {
    this.#onWarning?.({ file: this.#file, line, message });
  }
}

function startsWith(text: Uint8Array, head: Uint8Array): boolean {
  if (text.length < head.length) return false;
  for (let i = 0; i < head.length; i++) if (text[i] !== head[i]) return false;
  return true;
}

/** §4.3 step 1: empty or `#` after optional ASCII whitespace (Python's bytes `\s`). */
function isComment(text: Uint8Array): boolean {
  let i = 0;
  while (i < text.length && (text[i] === 0x20 || (text[i] >= 0x09 && text[i] <= 0x0d))) i++;
  return i === text.length || text[i] === 0x23;
}
