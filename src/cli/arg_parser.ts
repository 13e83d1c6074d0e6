/**
 * A small table-driven emulation of Python's `argparse`, the behaviour disbatch's users rely on
 * (spec §1.1–§1.3, §8.1, §15): unique-prefix abbreviations, `--opt=value`, attached and bundled
 * short options, optional values, `--`, negative numbers as values, argparse's help layout and
 * error texts. disbatch departs from argparse where its messages misled: an unknown option is
 * an error at once, with the closest option suggested, and usage errors are three lines (see
 * print_usage_error.ts).
 * @module
 */
import { reprStr } from "../status/py_repr.ts";
import { UsageError } from "./usage_error.ts";
import { pyFloat, type ValueType } from "./value_types.ts";

/** How an option consumes words (argparse's actions). */
export type Kind = "flag" | "const" | "value" | "optional" | "append" | "help" | "sbatch";

/** One option of a parser, as argparse's `add_argument`. */
export interface OptionSpec {
  flags: string[];
  dest: string;
  kind: Kind;
  help: string | null; // null: hidden, like argparse.SUPPRESS
  metavar?: string;
  type?: ValueType;
  choices?: readonly string[];
  constValue?: unknown; // stored by "const", and by "optional" when no value follows
  defaultValue?: unknown;
}

/** A whole parser: its options, its one positional, and how its usage errors read. */
export interface ParserSpec {
  description: string;
  /** The one-line usage shown under a usage error (the full one is in the help). */
  usage: string;
  /** The line after it, saying where the help is. */
  hint: string;
  /** Text appended to the help. */
  epilog?: string;
  options: OptionSpec[];
  positional: { dest: string; help: string; required: boolean };
  /** dests of a required mutually exclusive group, in argparse's declaration order */
  exclusive: string[];
}

/** Parsed values by dest. */
export type Raw = Record<string, unknown>;

interface OptToken {
  opt: OptionSpec;
  flag: string;
  explicit: string | null;
  arg: string;
  sbatchWords?: string[];
}
/** `dashdash` is the first `--`: argparse keeps it in the pattern, so it matters to what follows. */
type Token = { positional: string } | { dashdash: true } | OptToken;

const PROG = "disbatch";
const WIDTH = 78; // argparse: terminal columns (default 80) - 2
const HELP_COL = 24; // argparse max_help_position

// words are always values.
const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

function actionName(spec: ParserSpec, dest: string): string {
  const opt = spec.options.find((o) => o.dest === dest);
  return opt ? opt.flags.join("/") : dest;
}

function invocation(o: OptionSpec, flag: string): string {
  const mv = o.choices ? `{${o.choices.join(",")}}` : o.metavar;
  switch (o.kind) {
    case "value":
    case "append":
      return `${flag} ${mv}`;
    case "optional":
      return `${flag} [${mv}]`;
    case "sbatch":
      return `${flag} [${mv} ...] --`;
    default:
      return flag;
  }
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** argparse-style usage: optionals wrapped under the program name, positionals on their own line. */
export function formatUsage(spec: ParserSpec): string {
  const visible = spec.options.filter((o) => o.help !== null);
  const opts = visible.map((o) => `[${invocation(o, o.flags[0])}]`);
  const { dest, required } = spec.positional;
  const pos = required ? dest : `[${dest}]`;
  const head = `usage: ${PROG} `;
  const oneLine = head + [...opts, pos].join(" ");
  if (oneLine.length <= WIDTH) return oneLine;
  const indent = " ".repeat(head.length);
  const lines: string[] = [];
  let line = "";
  for (const part of opts) {
    if (line && indent.length + line.length + 1 + part.length > WIDTH) {
      lines.push(line);
      line = part;
    } else line = line ? `${line} ${part}` : part;
  }
  lines.push(line, pos);
  return head + lines.join("\n" + indent);
}

/** argparse-style help: usage, description, positional and options, then the epilog. */
export function formatHelp(spec: ParserSpec): string {
  const entry = (inv: string, help: string): string => {
    const body = wrapWords(help, WIDTH - HELP_COL);
    const pad = " ".repeat(HELP_COL);
    const head = `  ${inv}`;
    const lines = head.length + 2 <= HELP_COL
      ? [head.padEnd(HELP_COL) + body[0], ...body.slice(1).map((l) => pad + l)]
      : [head, ...body.map((l) => pad + l)];
    return lines.join("\n");
  };
  const options = spec.options.filter((o) => o.help !== null).map((o) =>
    entry(o.flags.map((f) => invocation(o, f)).join(", "), o.help!)
  );
  return [
    formatUsage(spec),
    "",
    spec.description,
    "",
    "positional arguments:",
    entry(spec.positional.dest, spec.positional.help),
    "",
    "options:",
    ...options,
    "",
  ].join("\n") + (spec.epilog ?? "");
}

/** argparse's `_parse_optional`: which option (if any) a word names, and its attached value. */
function classify(spec: ParserSpec, arg: string): OptToken | null {
  if (!arg.startsWith("-") || arg === "-") return null;
  const byFlag = (f: string) => spec.options.find((o) => o.flags.includes(f));
  const exact = byFlag(arg);
  if (exact) return { opt: exact, flag: arg, explicit: null, arg };
  const eq = arg.indexOf("=");
  if (eq > 0) {
    const o = byFlag(arg.slice(0, eq));
    if (o) return { opt: o, flag: arg.slice(0, eq), explicit: arg.slice(eq + 1), arg };
  }
  const matches: OptToken[] = [];
  if (arg.startsWith("--")) {
    const prefix = eq > 0 ? arg.slice(0, eq) : arg;
    const explicit = eq > 0 ? arg.slice(eq + 1) : null;
    for (const o of spec.options) {
      for (const f of o.flags) {
        if (f.startsWith(prefix)) matches.push({ opt: o, flag: f, explicit, arg });
      }
    }
  } else {
    const o = byFlag(arg.slice(0, 2));
    if (o) matches.push({ opt: o, flag: arg.slice(0, 2), explicit: arg.slice(2), arg });
  }
  if (matches.length > 1) {
    const names = matches.map((m) => m.flag).join(", ");
    throw usageError(spec, `ambiguous option: ${arg} could match ${names}`);
  }
  if (matches.length === 1) return matches[0];
  // A number (`-1e3`, `-inf`) is a value too: the option that takes it then says if it is out of range.
  if (NEGATIVE_NUMBER.test(arg) || pyFloat(arg) !== undefined || arg.includes(" ")) return null;
  // argparse would collect it for a final "unrecognized arguments" line, after it may already
  // have taken the option's value as the task file: name it now, with the likeliest meaning.
  const typed = eq > 0 ? arg.slice(0, eq) : arg;
  const near = typed.startsWith("--") ? closestOption(spec, typed) : null;
  throw usageError(
    spec,
    `unrecognized option ${reprStr(typed)}${near ? ` (did you mean ${near}?)` : ""}`,
  );
}

/** Classifies every word first, as argparse does (so an ambiguous option wins over other errors). */
function tokenize(spec: ParserSpec, argv: string[]): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      tokens.push({ dashdash: true });
      for (const rest of argv.slice(i + 1)) tokens.push({ positional: rest });
      break;
    }
    const tok = classify(spec, arg);
    if (!tok) {
      tokens.push({ positional: arg });
      continue;
    }
    tokens.push(tok);
    if (tok.opt.kind !== "sbatch" || tok.explicit !== null) continue;
    // Everything up to a literal `--` belongs to sbatch; without one, the last word is the task file.
    const end = argv.indexOf("--", i + 1);
    if (end >= 0) {
      tok.sbatchWords = argv.slice(i + 1, end);
      i = end;
    } else {
      const last = argv.at(-1)!;
      if (argv.length - 1 <= i || (last.startsWith("-") && last !== "-")) {
        throw usageError(
          spec,
          `argument ${
            tok.opt.flags.join("/")
          }: expected sbatch options followed by '--' or the task file`,
        );
      }
      tok.sbatchWords = argv.slice(i + 1, -1);
      tokens.push({ positional: last });
      break;
    }
  }
  return tokens;
}

/** Runs argparse's consume loop; returns the raw values by dest, or the help text for `-h`. */
export function runParser(spec: ParserSpec, argv: string[]): { values: Raw } | { help: string } {
  const fail = (msg: string) => usageError(spec, msg);
  const tokens = tokenize(spec, argv);
  const raw: Raw = { [spec.positional.dest]: null };
  for (const o of spec.options) {
    if (o.kind !== "help" && !(o.dest in raw)) {
      raw[o.dest] = o.defaultValue ??
        (o.kind === "append" ? [] : o.kind === "flag" ? false : null);
    }
  }
  const seen: string[] = []; // exclusive-group members given a non-default value
  const extras: string[] = [];
  let positionalTaken = false;
  /** The positional was the word after an option that takes no value. */
  let afterFlag: { flag: string; word: string } | null = null;

  const store = (dest: string, name: string, value: unknown) => {
    if (spec.exclusive.includes(dest)) {
      const other = seen.find((d) => d !== dest);
      if (other !== undefined) {
        throw fail(`argument ${name}: not allowed with argument ${actionName(spec, other)}`);
      }
      if (!seen.includes(dest)) seen.push(dest);
    }
    raw[dest] = value;
  };
  const convert = (o: OptionSpec, s: string): unknown => {
    const name = o.flags.join("/");
    const v = o.type ? o.type.parse(s) : s;
    if (v === undefined) {
      throw fail(`argument ${name}: invalid ${o.type!.name} value: ${reprStr(s)}`);
    }
    const problem = o.type?.check?.(v);
    if (problem) throw fail(`argument ${name}: invalid value: ${reprStr(s)} (${problem})`);
    if (o.choices && !o.choices.includes(s)) {
      throw fail(
        `argument ${name}: invalid choice: ${reprStr(s)} (choose from ${
          o.choices.map(reprStr).join(", ")
        })`,
      );
    }
    return v;
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    // The positional takes the first free word, together with an adjacent `--` (argparse's
    // `-*A?-*`); any other `--` is an unrecognized argument.
    if ("dashdash" in tok) {
      const next = tokens[i + 1];
      if (positionalTaken) extras.push("--");
      else if (next && "positional" in next) {
        positionalTaken = true;
        store(spec.positional.dest, spec.positional.dest, next.positional);
        i++;
      } else if (!spec.positional.required) positionalTaken = true; // `-*A?-*` matched no word
      else extras.push("--");
      continue;
    }
    if ("positional" in tok) {
      if (positionalTaken) extras.push(tok.positional);
      else {
        positionalTaken = true;
        const prev = tokens[i - 1];
        if (prev && "opt" in prev && takesNoValue(prev.opt) && prev.explicit === null) {
          afterFlag = { flag: prev.flag, word: tok.positional };
        }
        store(spec.positional.dest, spec.positional.dest, tok.positional);
        const next = tokens[i + 1];
        if (next && "dashdash" in next) i++;
      }
      continue;
    }
    // Collect the actions of a (possibly bundled) word first, then run them, as argparse does.
    const actions: { o: OptionSpec; value: string | null; words?: string[] }[] = [];
    let o = tok.opt, flag = tok.flag, explicit = tok.explicit;
    for (;;) {
      const name = o.flags.join("/");
      const takesNone = takesNoValue(o);
      if (explicit !== null) {
        if (takesNone && flag[1] !== "-" && explicit !== "") {
          actions.push({ o, value: null });
          flag = "-" + explicit[0];
          const next = spec.options.find((x) => x.flags.includes(flag));
          if (!next) throw fail(`argument ${name}: ignored explicit argument ${reprStr(explicit)}`);
          o = next;
          explicit = explicit.slice(1) || null;
          continue;
        }
        if (takesNone || o.kind === "sbatch") {
          throw fail(`argument ${name}: ignored explicit argument ${reprStr(explicit)}`);
        }
        actions.push({ o, value: explicit });
        break;
      }
      if (o.kind === "sbatch") actions.push({ o, value: null, words: tok.sbatchWords });
      else if (takesNone) actions.push({ o, value: null });
      else {
        const next = tokens[i + 1];
        if (next && "positional" in next) {
          actions.push({ o, value: next.positional });
          i++;
        } else if (o.kind === "optional") actions.push({ o, value: null });
        else throw fail(`argument ${name}: expected one argument`);
      }
      break;
    }
    for (const { o, value, words } of actions) {
      const name = o.flags.join("/");
      switch (o.kind) {
        case "help":
          return { help: formatHelp(spec) };
        case "flag":
          store(o.dest, name, true);
          break;
        case "const":
          store(o.dest, name, o.constValue);
          break;
        case "sbatch":
          store(o.dest, name, words);
          break;
        case "append":
          store(o.dest, name, [...raw[o.dest] as unknown[], convert(o, value!)]);
          break;
        case "optional":
          store(o.dest, name, value === null ? o.constValue : convert(o, value));
          break;
        case "value":
          store(o.dest, name, convert(o, value!));
      }
    }
  }

  if (spec.positional.required && !positionalTaken) {
    throw fail(`the following arguments are required: ${spec.positional.dest}`);
  }
  if (spec.exclusive.length && !seen.length) {
    const names = spec.exclusive.map((d) => actionName(spec, d)).join(" ");
    throw fail(`one of the arguments ${names} is required`);
  }
  if (extras.length) {
    throw fail(`unrecognized arguments: ${extras.join(" ")}${flagValueHint(spec, afterFlag)}`);
  }
  return { values: raw };
}

function usageError(spec: ParserSpec, message: string): UsageError {
  return new UsageError(message, { usage: spec.usage, hint: spec.hint });
}

function takesNoValue(o: OptionSpec): boolean {
  return o.kind === "flag" || o.kind === "const" || o.kind === "help";
}

/**
 * Why the positional is not what the user meant when it was the word after an option that
 * takes no value (`--retry 2 Tasks`, meant `--retries 2`): argparse blames the task file.
 */
function flagValueHint(spec: ParserSpec, after: { flag: string; word: string } | null): string {
  if (!after) return "";
  const { flag, word } = after;
  // `--retry` for `--retries`: a longer spelling of the same word counts as close too.
  const near = closestOption(
    spec,
    flag,
    (o, typed, edits) => !takesNoValue(o) && (edits <= 2 || edits <= 3 && typed.length >= 5),
  );
  // Only a number or a near miss of an option with a value is likely meant as that value;
  // otherwise the user gave two files.
  if (!near && pyFloat(word) === undefined) return "";
  const dest = spec.positional.dest === "taskfile" ? "task file" : spec.positional.dest;
  return ` (${reprStr(word)} was taken as the ${dest}: ${flag} takes no value` +
    `${near ? `; did you mean ${near} ${word}?` : ""})`;
}

/** Long option names compared without case, dashes or underscores (`--cpus-per-task`). */
function normalized(flag: string): string {
  return flag.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Edit distance counting an adjacent transposition as one edit (`--retires`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The visible long option closest to `typed` among those `accept` takes (by default: at most
 * 2 edits and fewer than half its length, so that nothing far-fetched is suggested); null when
 * none is.
 */
function closestOption(
  spec: ParserSpec,
  typed: string,
  accept: (o: OptionSpec, name: string, edits: number) => boolean = (_, typed, edits) =>
    edits <= 2 && edits * 2 < typed.length,
): string | null {
  const t = normalized(typed);
  let best: { flag: string; d: number } | null = null;
  for (const o of spec.options) {
    if (o.help === null) continue;
    for (const f of o.flags.filter((f) => f.startsWith("--"))) {
      const d = editDistance(t, normalized(f));
      if (accept(o, t, d) && (!best || d < best.d)) best = { flag: f, d };
    }
  }
  return best?.flag ?? null;
}
