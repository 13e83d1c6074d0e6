/**
 * Command-line parsing for the driver (`disbatch [options] TASKFILE`) and for the context role
 * (`disbatch --context DBUTILPATH [options]`), reproducing the Python `argparse` behaviour users
 * rely on (spec §1.1–§1.3, §8.1, §15): unique-prefix abbreviations, `--opt=value`, attached and
 * bundled short options, optional values, `--`, negative numbers as values, and argparse's exact
 * error texts. Both roles share one small table-driven engine.
 * @module
 */
import { LOG_LEVELS, type LogLevel } from "../log/logger.ts";
import { reprStr } from "../status/py_repr.ts";

/** A command-line problem. The caller prints it (see {@link usageErrorOutput}) and exits. */
export class UsageError extends Error {
  /** 2 for argparse-style errors; 1 for the spec's "help on stdout" and §1.3 cases. */
  readonly exitCode: 1 | 2;
  /** True when Python prints the full help on stdout (and nothing on stderr) instead of `message`. */
  readonly showHelpOnStdout: boolean;
  /** Usage text to print before `disbatch: error: <message>`; null: print `message` alone. */
  readonly usage: string | null;

  /** `message` is the text after `error: ` (or the whole line when `usage` is null). */
  constructor(
    message: string,
    opts: { exitCode?: 1 | 2; showHelpOnStdout?: boolean; usage?: string | null } = {},
  ) {
    super(message);
    this.name = "UsageError";
    this.exitCode = opts.exitCode ?? 2;
    this.showHelpOnStdout = opts.showHelpOnStdout ?? false;
    this.usage = opts.usage ?? null;
  }
}

/** Options a context accepts (§8.1); shared by the driver, which forwards them to its context. */
export interface ContextArgs {
  /** `-C`: stop the context's engines after this many assigned tasks; 0 = unlimited. */
  contextTaskLimit: number;
  /** `-c`: cores per task, may be fractional; -1 = unset. */
  cpusPerTask: number;
  /** `-E` (hidden, repeatable): environment variables holding per-cylinder resources. */
  envResource: string[];
  /** `--fill`: Slurm only, size cylinders from allocated cores. */
  fill: boolean;
  /** `-g` (deprecated): the context warns and ignores it. */
  gpu: boolean;
  /** `-l`: context label; null = role default. */
  label: string | null;
  /** `--retire-cmd` / `--no-retire` (last wins; `--no-retire` gives ""); null = context default. */
  retireCmd: string | null;
  /** `-s` (repeatable): SSH/local hosts, each possibly a comma list. */
  sshNode: string[];
  /** `-t`: cylinders per node; -1 = unset. */
  tasksPerNode: number;
}

/** Parsed `disbatch --context DBUTILPATH [options]` (§8.1). */
export interface ContextOptions extends ContextArgs {
  /** Absolute path of the run's `P_dbUtil.sh` (the positional after `--context`). */
  dbUtilPath: string;
}

/** Parsed and validated main-mode command line (§1.1, after §1.2 steps 1–5). */
export interface DriverOptions extends ContextArgs {
  /** Task file path, "-" for stdin, null when tasks come from `--taskcommand`/`--taskserver`. */
  taskfile: string | null;
  /** `-e`: exit 1 when any task failed. */
  exitCode: boolean;
  /** `--force-resume`: resume mismatches only warn. */
  forceResume: boolean;
  /** KVS to use after §1.3: true = start our own, string = HOST:PORT, null = from env `KVSSTCP_HOST`/`KVSSTCP_PORT`. */
  kvsserver: true | string | null;
  /** `--logfile`: driver log path (not opened here); null = `P_driver.log`. */
  logfile: string | null;
  /** `--loglevel`. */
  loglevel: LogLevel;
  /** Mail every N completions; 1 when only `--mailTo` was given; null = no mail. */
  mailFreq: number | null;
  /** `--mailTo` address. */
  mailTo: string | null;
  /** `-p`: output prefix (§3). */
  prefix: string;
  /** `-r` (repeatable): old status files. */
  resumeFrom: string[];
  /** `-R`: with `-r`, re-run failed tasks. */
  retry: boolean;
  /** `-S`: start driver and KVS only. */
  startupOnly: boolean;
  /** `--status-header`. */
  statusHeader: boolean;
  /** `--use-address HOST:PORT` for our own KVS. */
  useAddress: { host: string; port: number } | null;
  /** `-w`. */
  web: boolean;
  /** `-f`. */
  failFast: boolean;
  /** `--taskcommand`: client program started with `sh -c`. */
  taskcommand: string | null;
  /** `--taskserver` given: tasks come from the KVS named by {@link DriverOptions.kvsserver}. */
  taskserver: boolean;
  /** Always false here: `--version` makes {@link parseDriverArgs} return `{ version: true }`. */
  version: boolean;
  /** `--no-retire` decided the retire command (i.e. `retireCmd === ""`). */
  noRetire: boolean;
  /** disbatch: `--lenient-directives`, keep the original's silent handling of unknown directives. */
  lenientDirectives: boolean;
  /** disbatch: `--no-reissue`, do not re-issue tasks lost with an engine. */
  noReissue: boolean;
  /** disbatch: `--retries N`, extra attempts for a failed task. */
  retries: number;
  /** disbatch: `--timeout SECONDS` per task; null = none. */
  timeout: number | null;
  /** disbatch: `--sbatch [sbatch options] --`; null when not given. */
  sbatch: string[] | null;
}

// ---------------------------------------------------------------------------------------------
// The engine.

type Kind = "flag" | "const" | "value" | "optional" | "append" | "help" | "sbatch";

interface ValueType {
  /** Used in `invalid <name> value: '<arg>'`. */
  name: string;
  /** undefined = invalid. */
  parse(s: string): unknown;
}

interface OptionSpec {
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

interface ParserSpec {
  description: string;
  options: OptionSpec[];
  positional: { dest: string; help: string; required: boolean };
  /** dests of a required mutually exclusive group, in argparse's declaration order */
  exclusive: string[];
}

type Raw = Record<string, unknown>;

interface OptToken {
  opt: OptionSpec | null; // null: unknown option, ends up in "unrecognized arguments"
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

/** Python `int(s)`: surrounding blanks, sign and digit-group underscores allowed. */
function pyInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT_RE = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);

/** Python `float(s)`, including `inf`/`infinity`/`nan`. */
function pyFloat(s: string): number | undefined {
  const t = s.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2].toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  return FLOAT_RE.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

const INT: ValueType = { name: "int", parse: pyInt };
const FLOAT: ValueType = { name: "float", parse: pyFloat };
const NON_NEGATIVE_INT: ValueType = {
  name: "non-negative int",
  parse: (s) => {
    const n = pyInt(s);
    return n !== undefined && n >= 0 ? n : undefined;
  },
};
const POSITIVE_FLOAT: ValueType = {
  name: "positive float",
  parse: (s) => {
    const n = pyFloat(s);
    return n !== undefined && n > 0 ? n : undefined;
  },
};
// B21: Python crashes on a malformed --use-address; the port rejects it at parse time.
const ADDRESS: ValueType = {
  name: "HOST:PORT",
  parse: (s) => {
    const parts = s.split(":");
    if (parts.length !== 2) return undefined;
    const port = pyInt(parts[1]);
    return port !== undefined && port <= 65535 ? { host: parts[0], port } : undefined;
  },
};

// argparse's _negative_number_matcher; none of our options looks like a negative number, so such
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
function formatUsage(spec: ParserSpec): string {
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

function formatHelp(spec: ParserSpec): string {
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
  ].join("\n");
}

/** argparse's `_parse_optional`: which option (if any) a word names, and its attached value. */
function classify(spec: ParserSpec, usage: string, arg: string): OptToken | null {
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
    throw new UsageError(`ambiguous option: ${arg} could match ${names}`, { usage });
  }
  if (matches.length === 1) return matches[0];
  if (NEGATIVE_NUMBER.test(arg) || arg.includes(" ")) return null;
  return { opt: null, flag: arg, explicit: null, arg };
}

/** Classifies every word first, as argparse does (so an ambiguous option wins over other errors). */
function tokenize(spec: ParserSpec, usage: string, argv: string[]): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      tokens.push({ dashdash: true });
      for (const rest of argv.slice(i + 1)) tokens.push({ positional: rest });
      break;
    }
    const tok = classify(spec, usage, arg);
    if (!tok) {
      tokens.push({ positional: arg });
      continue;
    }
    tokens.push(tok);
    if (tok.opt?.kind !== "sbatch" || tok.explicit !== null) continue;
    // Everything up to a literal `--` belongs to sbatch; without one, the last word is the task file.
    const end = argv.indexOf("--", i + 1);
    if (end >= 0) {
      tok.sbatchWords = argv.slice(i + 1, end);
      i = end;
    } else {
      const last = argv.at(-1)!;
      if (argv.length - 1 <= i || (last.startsWith("-") && last !== "-")) {
        throw new UsageError(
          `argument ${
            tok.opt.flags.join("/")
          }: expected sbatch options followed by '--' or the task file`,
          { usage },
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
function runParser(spec: ParserSpec, argv: string[]): { values: Raw } | { help: string } {
  const usage = formatUsage(spec);
  const fail = (msg: string) => new UsageError(msg, { usage });
  const tokens = tokenize(spec, usage, argv);
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
        store(spec.positional.dest, spec.positional.dest, tok.positional);
        const next = tokens[i + 1];
        if (next && "dashdash" in next) i++;
      }
      continue;
    }
    if (!tok.opt) {
      extras.push(tok.arg);
      continue;
    }
    // Collect the actions of a (possibly bundled) word first, then run them, as argparse does.
    const actions: { o: OptionSpec; value: string | null; words?: string[] }[] = [];
    let o = tok.opt, flag = tok.flag, explicit = tok.explicit;
    for (;;) {
      const name = o.flags.join("/");
      const takesNone = o.kind === "flag" || o.kind === "const" || o.kind === "help";
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
          return { help: spec === DRIVER_SPEC ? helpText() : formatHelp(spec) };
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
  if (extras.length) throw fail(`unrecognized arguments: ${extras.join(" ")}`);
  return { values: raw };
}

// ---------------------------------------------------------------------------------------------
// The two parsers.

const HELP_OPTION: OptionSpec = {
  flags: ["-h", "--help"],
  dest: "help",
  kind: "help",
  help: "show this help message and exit",
};

// The original's contextArgs(), in its order; -E and -g are hidden there but listed here.
const CONTEXT_OPTIONS: OptionSpec[] = [
  {
    flags: ["-C", "--context-task-limit"],
    dest: "contextTaskLimit",
    kind: "value",
    type: INT,
    metavar: "TASK_LIMIT",
    defaultValue: 0,
    help: "Shutdown after running COUNT tasks (0 => no limit).",
  },
  {
    flags: ["-c", "--cpusPerTask"],
    dest: "cpusPerTask",
    kind: "value",
    type: FLOAT,
    metavar: "N",
    defaultValue: -1,
    help: "Number of cores used per task; may be fractional (default: 1).",
  },
  {
    flags: ["-E", "--env-resource"],
    dest: "envResource",
    kind: "append",
    metavar: "VAR",
    help: "Assign the comma-delimited resources in environment variable VAR across the tasks " +
      "of a node, one per task (may be repeated).",
  },
  {
    flags: ["--fill"],
    dest: "fill",
    kind: "flag",
    help: "Try to use extra cores if allocated cores exceeds requested cores.",
  },
  {
    flags: ["-g", "--gpu"],
    dest: "gpu",
    kind: "flag",
    help: "Deprecated; ignored with a warning.",
  },
  {
    flags: ["--no-retire"],
    dest: "retireCmd",
    kind: "const",
    constValue: "",
    help: "Don't retire nodes from the batch system (e.g., if running as part of a larger job).",
  },
  {
    flags: ["-l", "--label"],
    dest: "label",
    kind: "value",
    metavar: "COMMAND",
    help: "Label for this context. Should be unique.",
  },
  {
    flags: ["--retire-cmd"],
    dest: "retireCmd",
    kind: "value",
    metavar: "COMMAND",
    help: "Shell command to run to retire a node (environment includes $NODES being retired, " +
      "remaining $ACTIVE node list, $RETIRED node list; default based on batch system). " +
      'Incompatible with "--ssh-node".',
  },
  {
    flags: ["-s", "--ssh-node"],
    dest: "sshNode",
    kind: "append",
    metavar: "HOST:CORECOUNT",
    help: "Run tasks over SSH on the given nodes (can be specified multiple times for additional " +
      "hosts; equivalent to setting DISBATCH_SSH_NODELIST)",
  },
  {
    flags: ["-t", "--tasksPerNode"],
    dest: "tasksPerNode",
    kind: "value",
    type: INT,
    metavar: "N",
    defaultValue: -1,
    help: "Maximum concurrently executing tasks per node (up to cores/cpusPerTask).",
  },
];

// Marks options that the original disBatch does not have.
const EXTENSION = "[disbatch] ";

const DRIVER_SPEC: ParserSpec = {
  description: "Use batch resources to process a file of tasks, one task per line.",
  positional: {
    dest: "taskfile",
    help: 'File with tasks, one task per line ("-" for stdin)',
    required: false,
  },
  exclusive: ["taskcommand", "taskserver", "taskfile", "version"],
  options: [
    HELP_OPTION,
    {
      flags: ["-e", "--exit-code"],
      dest: "exitCode",
      kind: "flag",
      help:
        "When any task fails, exit with non-zero status (default: only if disBatch itself fails)",
    },
    {
      flags: ["--force-resume"],
      dest: "forceResume",
      kind: "flag",
      help: "With -r, proceed even if task commands/lines are different.",
    },
    {
      flags: ["--kvsserver"],
      dest: "kvsserver",
      kind: "optional",
      metavar: "HOST:PORT",
      defaultValue: true,
      constValue: null,
      help: "Use a running KVS server.",
    },
    { flags: ["--logfile"], dest: "logfile", kind: "value", metavar: "FILE", help: "Log file." },
    {
      flags: ["--loglevel"],
      dest: "loglevel",
      kind: "value",
      choices: LOG_LEVELS,
      defaultValue: "INFO",
      help: "Logging level (default: INFO).",
    },
    {
      flags: ["--mailFreq"],
      dest: "mailFreq",
      kind: "value",
      type: INT,
      metavar: "N",
      help: 'Send email every N task completions (default: 1). "--mailTo" must be given.',
    },
    {
      flags: ["--mailTo"],
      dest: "mailTo",
      kind: "value",
      metavar: "ADDR",
      help: "Mail address for task completion notification(s).",
    },
    {
      flags: ["-p", "--prefix"],
      dest: "prefix",
      kind: "value",
      metavar: "PATH",
      defaultValue: ".",
      help: 'Path for log, dbUtil, and status files (default: "."). If ends with non-directory ' +
        "component, use as prefix for these files names (default: " +
        "<Taskfile>_disBatch_<yyMMddhhmmss>_<Random>).",
    },
    {
      flags: ["-r", "--resume-from"],
      dest: "resumeFrom",
      kind: "append",
      metavar: "STATUSFILE",
      help: "Read the status file from a previous run and skip any completed tasks (may be " +
        "specified multiple times).",
    },
    {
      flags: ["-R", "--retry"],
      dest: "retry",
      kind: "flag",
      help: "With -r, also retry any tasks which failed in previous runs (non-zero return).",
    },
    {
      flags: ["-S", "--startup-only"],
      dest: "startupOnly",
      kind: "flag",
      help: "Startup only the disBatch server (and KVS server if appropriate). Use " +
        '"dbUtil..." script to add execution contexts. Incompatible with "--ssh-node".',
    },
    {
      flags: ["--status-header"],
      dest: "statusHeader",
      kind: "flag",
      help: "Add header line to status file.",
    },
    {
      flags: ["--use-address"],
      dest: "useAddress",
      kind: "value",
      type: ADDRESS,
      metavar: "HOST:PORT",
      help: "Specify hostname and port to use for this run.",
    },
    { flags: ["-w", "--web"], dest: "web", kind: "flag", help: "Enable web interface." },
    {
      flags: ["-f", "--fail-fast"],
      dest: "failFast",
      kind: "flag",
      help: "Stop the run (exit 1) at the first failed task, killing running tasks.",
    },
    {
      flags: ["--taskcommand"],
      dest: "taskcommand",
      kind: "value",
      metavar: "COMMAND",
      help: "Tasks will come from the command specified via the KVS server (passed in the " +
        "environment).",
    },
    {
      flags: ["--taskserver"],
      dest: "taskserver",
      kind: "optional",
      metavar: "HOST:PORT",
      defaultValue: false,
      constValue: null,
      help: "Tasks will come from the KVS server.",
    },
    {
      flags: ["--version"],
      dest: "version",
      kind: "flag",
      help: "Print the version and exit",
    },
    ...CONTEXT_OPTIONS,
    {
      flags: ["--lenient-directives"],
      dest: "lenientDirectives",
      kind: "flag",
      help: EXTENSION +
        "Ignore unknown #DISBATCH directives, like the original, instead of stopping with an " +
        "error.",
    },
    {
      flags: ["--no-reissue"],
      dest: "noReissue",
      kind: "flag",
      help: EXTENSION + "Do not re-run tasks lost with an engine (for non-idempotent tasks).",
    },
    {
      flags: ["--retries"],
      dest: "retries",
      kind: "value",
      type: NON_NEGATIVE_INT,
      metavar: "N",
      defaultValue: 0,
      help: EXTENSION +
        "Run a failed task up to N more times; every attempt is recorded (default: 0).",
    },
    {
      flags: ["--timeout"],
      dest: "timeout",
      kind: "value",
      type: POSITIVE_FLOAT,
      metavar: "SECONDS",
      help: EXTENSION + "Kill a task (its whole process group) that runs longer than SECONDS.",
    },
    {
      flags: ["--sbatch"],
      dest: "sbatch",
      kind: "sbatch",
      metavar: "SBATCH_OPTION",
      help: EXTENSION +
        "Submit this run as a Slurm batch job with the given sbatch options: disbatch " +
        "--sbatch [sbatch options] -- [disbatch options] taskfile.",
    },
  ],
};

const CONTEXT_SPEC: ParserSpec = {
  description: "Set up disBatch execution context",
  positional: { dest: "dbutilpath", help: "The run's <Prefix>_dbUtil.sh script.", required: true },
  exclusive: [],
  options: [
    HELP_OPTION,
    { flags: ["--context"], dest: "context", kind: "flag", help: null },
    ...CONTEXT_OPTIONS,
  ],
};

/** The driver's argparse-style usage text (`usage: disbatch [-h] ...`, possibly several lines). */
export function usageLine(): string {
  return formatUsage(DRIVER_SPEC);
}

/** The driver's full help (usage, description, every option), ending with a newline. */
export function helpText(): string {
  return formatHelp(DRIVER_SPEC) + OTHER_COMMANDS;
}

/** The other roles a person may call (the engine and context roles are internal). */
const OTHER_COMMANDS = `
other commands (P is a run's output prefix, or its P_dbUtil.sh):
  disbatch --mon P      full-screen monitor of a running run
  disbatch --state P    the run's state as JSON (running or finished)
  disbatch --wait P     wait for the run to end; exit with its exit code
  disbatch --submit P [--wait] [--end] [--file F | -] [LINE ...]
                        submit tasks to a --taskserver run
`;

function contextArgs(raw: Raw): ContextArgs {
  return {
    contextTaskLimit: raw.contextTaskLimit as number,
    cpusPerTask: raw.cpusPerTask as number,
    envResource: raw.envResource as string[],
    fill: raw.fill as boolean,
    gpu: raw.gpu as boolean,
    label: raw.label as string | null,
    retireCmd: raw.retireCmd as string | null,
    sshNode: raw.sshNode as string[],
    tasksPerNode: raw.tasksPerNode as number,
  };
}

/**
 * Parses main-mode arguments (argv without the program name) and applies §1.2 steps 1–5.
 * Returns `{ help }` for `-h` (print on stdout, exit 0) and `{ version: true }` for `--version`.
 * Throws {@link UsageError}. The task file and `--logfile` are not opened here; the caller opens
 * them and reports failures with {@link cannotOpenMessage}.
 */
export function parseDriverArgs(
  argv: string[],
): DriverOptions | { help: string } | { version: true } {
  const parsed = runParser(DRIVER_SPEC, argv);
  if ("help" in parsed) return parsed;
  const raw = parsed.values;
  if (raw.version) return { version: true };

  // §1.2 step 3, with Python's truthiness (0 and "" count as not given).
  let mailFreq = raw.mailFreq as number | null;
  const mailTo = raw.mailTo as string | null;
  const helpExit = (msg: string) => new UsageError(msg, { exitCode: 1, showHelpOnStdout: true });
  if (mailFreq && !mailTo) throw helpExit("--mailFreq requires --mailTo");
  if (!mailFreq && mailTo) mailFreq = 1;

  const ctx = contextArgs(raw);
  if (raw.startupOnly && (ctx.envResource.length || ctx.retireCmd || ctx.sshNode.length)) {
    throw helpExit("-S/--startup-only cannot be combined with -E, --retire-cmd or -s");
  }

  // §1.3, as Python: kvsserver true = own | null = bare | string; taskserver false | null | string.
  let kvs = raw.kvsserver as true | string | null | false;
  const ts = raw.taskserver as false | string | null;
  if (!kvs) kvs = ts;
  else if (ts && kvs !== ts) {
    throw new UsageError("Cannot use different --kvsserver and --taskservers.", { exitCode: 1 });
  }

  return {
    taskfile: raw.taskfile as string | null,
    exitCode: raw.exitCode as boolean,
    forceResume: raw.forceResume as boolean,
    kvsserver: kvs === true ? true : kvs || null,
    logfile: raw.logfile as string | null,
    loglevel: raw.loglevel as LogLevel,
    mailFreq,
    mailTo,
    prefix: raw.prefix as string,
    resumeFrom: raw.resumeFrom as string[],
    retry: raw.retry as boolean,
    startupOnly: raw.startupOnly as boolean,
    statusHeader: raw.statusHeader as boolean,
    useAddress: raw.useAddress as { host: string; port: number } | null,
    web: raw.web as boolean,
    failFast: raw.failFast as boolean,
    taskcommand: raw.taskcommand as string | null,
    taskserver: raw.taskserver !== false,
    version: false,
    noRetire: ctx.retireCmd === "",
    ...ctx,
    lenientDirectives: raw.lenientDirectives as boolean,
    noReissue: raw.noReissue as boolean,
    retries: raw.retries as number,
    timeout: raw.timeout as number | null,
    sbatch: raw.sbatch as string[] | null,
  };
}

/**
 * Parses the context role's arguments: the whole argv after the program name, i.e.
 * `["--context", DBUTILPATH, ...options]` (`--context` is accepted anywhere, as in Python).
 * Returns `{ help }` for `-h`. Throws {@link UsageError} (exit 2) carrying the context's usage.
 */
export function parseContextArgs(argv: string[]): ContextOptions | { help: string } {
  const parsed = runParser(CONTEXT_SPEC, argv);
  if ("help" in parsed) return parsed;
  return { dbUtilPath: parsed.values.dbutilpath as string, ...contextArgs(parsed.values) };
}

const ERRNO: Record<string, [number, string]> = {
  NotFound: [2, "No such file or directory"],
  PermissionDenied: [13, "Permission denied"],
  NotADirectory: [20, "Not a directory"],
  IsADirectory: [21, "Is a directory"],
};

/**
 * argparse's message for an unopenable file argument, from the Deno error, e.g.
 * `argument taskfile: can't open 'x': [Errno 2] No such file or directory: 'x'`.
 */
export function cannotOpenMessage(path: string, err: unknown, argument = "taskfile"): string {
  const name = err instanceof Error ? err.name : "";
  const known = ERRNO[name];
  const reason = known
    ? `[Errno ${known[0]}] ${known[1]}: ${reprStr(path)}`
    : err instanceof Error
    ? err.message
    : String(err);
  return `argument ${argument}: can't open '${path}': ${reason}`;
}

/** What the caller prints for a {@link UsageError}, and the exit code, per §1.1/§1.2/T38. */
export function usageErrorOutput(
  err: UsageError,
): { stdout: string; stderr: string; exitCode: number } {
  if (err.showHelpOnStdout) return { stdout: helpText(), stderr: "", exitCode: err.exitCode };
  const stderr = err.usage === null
    ? `${err.message}\n`
    : `${err.usage}\n${PROG}: error: ${err.message}\n`;
  return { stdout: "", stderr, exitCode: err.exitCode };
}
