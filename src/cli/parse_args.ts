/**
 * disbatch's command lines: the driver (`disbatch [options] TASKFILE`) and the context role
 * (`disbatch --context DBUTILPATH [options]`, what `P_dbUtil.sh` runs), as option tables for
 * the argparse emulation in arg_parser.ts, and the checks that span several options (§1.2).
 * @module
 */
import { LOG_LEVELS, type LogLevel } from "../log/logger.ts";
import { errorMessage } from "../log/error_message.ts";
import { fileErrorOf } from "../os/errno.ts";
import { reprStr } from "../status/py_repr.ts";
import {
  formatHelp,
  formatUsage,
  type OptionSpec,
  type ParserSpec,
  type Raw,
  runParser,
} from "./arg_parser.ts";
import { DRIVER_HINT, DRIVER_USAGE, UsageError } from "./usage_error.ts";
import { EXTENSION_MARK, LONG_RUN_OPTIONS } from "./long_run_options.ts";
import {
  ADDRESS,
  ENV_NAME,
  intAtLeast,
  LABEL,
  NODE_LIST,
  orUnset,
  POSITIVE_NUMBER,
  type ValueType,
} from "./value_types.ts";

export { UsageError };

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
  /** disbatch: `--capture`, keep every task's full output (`disbatch --output`). */
  capture: boolean;
  /** disbatch: `--capture-max BYTES`, the most kept of each stream of a captured task. */
  captureMax: number;
  /** disbatch: `--sbatch [sbatch options] --`; null when not given. */
  sbatch: string[] | null;
  /** disbatch: `--drain-before SECONDS` before the Slurm job's end; null = not given. */
  drainBefore: number | null;
  /** disbatch: `--link-of P`: continue the long run whose first prefix is P; null = not given. */
  linkOf: string | null;
  /** disbatch: `--chain`: when draining starts, submit a job that continues the run. */
  chain: boolean;
  /** disbatch: `--chain-max N`: at most N jobs in the chain; null = no bound. */
  chainMax: number | null;
  /** The sbatch options of `--sbatch`, passed to the job for its continuations; null = none. */
  chainSbatch: string[] | null;
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
    type: intAtLeast(0),
    metavar: "TASK_LIMIT",
    defaultValue: 0,
    help: "Stop this context's engines once it has been given TASK_LIMIT tasks (0 => no limit).",
  },
  {
    flags: ["-c", "--cpusPerTask"],
    dest: "cpusPerTask",
    kind: "value",
    type: POSITIVE_NUMBER,
    metavar: "N",
    defaultValue: -1,
    help: "Number of cores used per task; may be fractional, > 0 (default: 1).",
  },
  {
    flags: ["-E", "--env-resource"],
    dest: "envResource",
    kind: "append",
    type: ENV_NAME,
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
    type: LABEL,
    metavar: "LABEL",
    help: "Label for this context, used in its log file names. Should be unique.",
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
    type: NODE_LIST,
    metavar: "HOST:CORECOUNT",
    help: "Run tasks on the given hosts, over SSH unless the host is this one (a comma list " +
      "of HOST:CORECOUNT with CORECOUNT >= 1; can be specified multiple times for additional " +
      "hosts; equivalent to setting DISBATCH_SSH_NODELIST)",
  },
  {
    flags: ["-t", "--tasksPerNode"],
    dest: "tasksPerNode",
    kind: "value",
    type: intAtLeast(1),
    metavar: "N",
    defaultValue: -1,
    help: "Tasks run at once per node, N >= 1 (default: cores/cpusPerTask).",
  },
];

/** The other roles a person may call (the engine and context roles are internal). */
const OTHER_COMMANDS = `
other commands (P is a run's output prefix, or its P_dbUtil.sh):
  disbatch --mon P      full-screen monitor of a running run
  disbatch --state P    the run's state as JSON (running or finished)
  disbatch --wait P     wait for the run to end; exit with its exit code
  disbatch --submit P [--wait] [--end] [--file F | -] [LINE ...]
                        submit tasks to a --taskserver run
  disbatch --report P|STATUS_FILE... [-o FILE]
                        a run report with charts in one HTML file
  disbatch --output P TASKID [--stderr] [--follow]
                        a task's full output (runs made with --capture)
`;

// Marks options that the original disBatch does not have.
const EXTENSION = EXTENSION_MARK;

const DRIVER_SPEC: ParserSpec = {
  description: "Use batch resources to process a file of tasks, one task per line.",
  usage: DRIVER_USAGE,
  hint: DRIVER_HINT,
  epilog: OTHER_COMMANDS,
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
      help: "Not supported: disbatch has no KVS server (the original used an external one); " +
        "refused with an error.",
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
      type: intAtLeast(1),
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
      help: "Prefix of the log, dbUtil, and status files (default: " +
        "./<Taskfile>_disBatch_<yyMMddHHmmss>_<Random>). An existing directory gets files " +
        "with that default name; otherwise PATH's last component is the file-name prefix.",
    },
    {
      flags: ["-r", "--resume-from"],
      dest: "resumeFrom",
      kind: "append",
      metavar: "STATUSFILE",
      help: "Read the status file from a previous run and skip the tasks it records, failed " +
        "ones too unless -R is given (may be specified multiple times).",
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
      help: "Start only the driver, with no execution context; run the P_dbUtil.sh script it " +
        'prints to add contexts. Incompatible with "--ssh-node", "--env-resource" and ' +
        '"--retire-cmd".',
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
      help: "Tasks come from what COMMAND (run with sh -c) prints, one per line, as it prints " +
        "them; COMMAND finds the run through $DISBATCH_DBUTIL (e.g. to submit more).",
    },
    {
      flags: ["--taskserver"],
      dest: "taskserver",
      kind: "optional",
      metavar: "HOST:PORT",
      defaultValue: false,
      constValue: null,
      help: "Tasks come from clients (disbatch --submit P, or any program speaking the " +
        "protocol); a HOST:PORT value is not supported.",
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
      type: intAtLeast(0),
      metavar: "N",
      defaultValue: 0,
      help: EXTENSION +
        "Run a failed task up to N more times; every attempt is recorded (default: 0).",
    },
    {
      flags: ["--timeout"],
      dest: "timeout",
      kind: "value",
      type: POSITIVE_NUMBER,
      metavar: "SECONDS",
      help: EXTENSION + "Kill a task (its whole process group) that runs longer than SECONDS.",
    },
    {
      flags: ["--capture"],
      dest: "capture",
      kind: "flag",
      help: EXTENSION +
        "Keep each task's full stdout and stderr in the run's capture files (read them with " +
        "disbatch --output P TASKID); #DISBATCH CAPTURE on|off sets it for parts of the file.",
    },
    {
      flags: ["--capture-max"],
      dest: "captureMax",
      kind: "value",
      type: intAtLeast(0),
      metavar: "BYTES",
      defaultValue: 1048576,
      help: EXTENSION +
        "Keep at most BYTES of each stream of a captured task (default: 1048576).",
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
    ...LONG_RUN_OPTIONS,
  ],
};

/** `-c` and `-t` of a context also take -1: the driver's "not given" (spec §8.1), inherited. */
const INHERITABLE = ["cpusPerTask", "tasksPerNode"];

const CONTEXT_SPEC: ParserSpec = {
  description: "Set up disBatch execution context",
  usage: "usage: P_dbUtil.sh [context options]",
  hint: "Try 'P_dbUtil.sh --help'.",
  positional: { dest: "dbutilpath", help: "The run's <Prefix>_dbUtil.sh script.", required: true },
  exclusive: [],
  options: [
    HELP_OPTION,
    { flags: ["--context"], dest: "context", kind: "flag", help: null },
    ...CONTEXT_OPTIONS.map((o) =>
      INHERITABLE.includes(o.dest) ? { ...o, type: orUnset(o.type as ValueType) } : o
    ),
  ],
};

/** The driver's argparse-style usage text (`usage: disbatch [-h] ...`, the head of its help). */
export function usageLine(): string {
  return formatUsage(DRIVER_SPEC);
}

/** The driver's full help (usage, description, every option, other commands). */
export function helpText(): string {
  return formatHelp(DRIVER_SPEC);
}

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
  // The original printed its whole help on stdout (exit 1) for these two, and not the reason.
  if (mailFreq && !mailTo) throw new UsageError("argument --mailFreq: needs --mailTo ADDR");
  if (!mailFreq && mailTo) mailFreq = 1;

  const ctx = contextArgs(raw);
  if (raw.startupOnly && (ctx.envResource.length || ctx.retireCmd || ctx.sshNode.length)) {
    throw new UsageError(
      "argument -S/--startup-only: not allowed with -s/--ssh-node, -E/--env-resource or " +
        "--retire-cmd (-S starts no context; give them to P_dbUtil.sh)",
    );
  }

  // §1.3, as Python: kvsserver true = own | null = bare | string; taskserver false | null | string.
  let kvs = raw.kvsserver as true | string | null | false;
  const ts = raw.taskserver as false | string | null;
  if (!kvs) kvs = ts;
  else if (ts && kvs !== ts) {
    throw new UsageError("Cannot use different --kvsserver and --taskservers.");
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
    capture: raw.capture as boolean,
    captureMax: raw.captureMax as number,
    sbatch: raw.sbatch as string[] | null,
    drainBefore: raw.drainBefore as number | null,
    linkOf: raw.linkOf as string | null,
    chain: raw.chain as boolean,
    chainMax: raw.chainMax as number | null,
    chainSbatch: raw.chainSbatch as string[] | null,
  };
}

/**
 * Parses the context role's arguments: the whole argv after the program name, i.e.
 * `["--context", DBUTILPATH, ...options]` (`--context` is accepted anywhere, as in Python).
 * Returns `{ help }` for `-h`. Throws {@link UsageError} (exit 2) carrying the context's usage.
 */
export function parseContextArgs(argv: string[]): ContextOptions | { help: string } {
  // Users run the context as P_dbUtil.sh: its usage and help hint name that script.
  const script = argv[argv.indexOf("--context") + 1];
  const spec = script && !script.startsWith("-")
    ? {
      ...CONTEXT_SPEC,
      usage: `usage: ${script} [context options]`,
      hint: `Try '${script} --help'.`,
    }
    : CONTEXT_SPEC;
  const parsed = runParser(spec, argv);
  if ("help" in parsed) return parsed;
  return { dbUtilPath: parsed.values.dbutilpath as string, ...contextArgs(parsed.values) };
}

/**
 * argparse's message for an unopenable file argument, from the Deno error, e.g.
 * `argument taskfile: can't open 'x': [Errno 2] No such file or directory: 'x'`.
 */
export function cannotOpenMessage(path: string, err: unknown, argument = "taskfile"): string {
  const known = fileErrorOf(err);
  const reason = known
    ? `[Errno ${known.errno}] ${known.text}: ${reprStr(path)}`
    : errorMessage(err);
  return `argument ${argument}: can't open '${path}': ${reason}`;
}
