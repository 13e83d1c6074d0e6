import assert from "node:assert/strict";
import {
  cannotOpenMessage,
  type ContextOptions,
  type DriverOptions,
  helpText,
  parseContextArgs,
  parseDriverArgs,
  UsageError,
  usageLine,
} from "./parse_args.ts";
import { usageErrorText } from "./print_usage_error.ts";
import { DRIVER_HINT, DRIVER_USAGE } from "./usage_error.ts";

function opts(argv: string[]): DriverOptions {
  const r = parseDriverArgs(argv);
  assert.ok(!("help" in r) && !("version" in r && r.version === true), `not options: ${argv}`);
  return r as DriverOptions;
}

function ctx(argv: string[]): ContextOptions {
  const r = parseContextArgs(argv);
  assert.ok(!("help" in r), `help for ${argv}`);
  return r as ContextOptions;
}

function fails(argv: string[], parse: (a: string[]) => unknown = parseDriverArgs): UsageError {
  try {
    parse(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  assert.fail(`no error for ${JSON.stringify(argv)}`);
}

/** A driver usage error with exactly this message. */
function argError(argv: string[], message: string) {
  const e = fails(argv);
  assert.equal(e.message, message, JSON.stringify(argv));
  assert.equal(e.usage, DRIVER_USAGE);
  assert.equal(e.hint, DRIVER_HINT);
}

const REQUIRED = "one of the arguments --taskcommand --taskserver taskfile --version is required";

Deno.test("defaults for a plain task file", () => {
  assert.deepEqual(opts(["Tasks"]), {
    taskfile: "Tasks",
    exitCode: false,
    forceResume: false,
    kvsserver: true,
    logfile: null,
    loglevel: "INFO",
    mailFreq: null,
    mailTo: null,
    prefix: ".",
    resumeFrom: [],
    retry: false,
    startupOnly: false,
    statusHeader: false,
    useAddress: null,
    web: false,
    failFast: false,
    taskcommand: null,
    taskserver: false,
    version: false,
    noRetire: false,
    contextTaskLimit: 0,
    cpusPerTask: -1,
    envResource: [],
    fill: false,
    gpu: false,
    label: null,
    retireCmd: null,
    sshNode: [],
    tasksPerNode: -1,
    lenientDirectives: false,
    noReissue: false,
    retries: 0,
    timeout: null,
    capture: false,
    captureMax: 1048576,
    sbatch: null,
  });
  assert.equal(opts(["-"]).taskfile, "-");
});

Deno.test("every long option and value", () => {
  const o = opts([
    ...["--exit-code", "--force-resume", "--logfile", "log", "--loglevel", "DEBUG"],
    ...["--mailFreq", "4", "--mailTo", "a@b", "--prefix", "out/", "--resume-from", "s1"],
    ...["--retry", "--status-header", "--use-address", "localhost:0", "--web", "--fail-fast"],
    ...["--context-task-limit", "7", "--cpusPerTask", "0.5", "--env-resource", "V"],
    ...["--fill", "--gpu", "--label", "lab", "--retire-cmd", "true", "--ssh-node", "h:2"],
    ...["--tasksPerNode", "3", "--lenient-directives", "--no-reissue", "--retries", "2"],
    ...["--timeout", "1.5", "--capture", "--capture-max", "10", "Tasks"],
  ]);
  assert.deepEqual(
    { ...o, useAddress: o.useAddress },
    {
      ...opts(["Tasks"]),
      exitCode: true,
      forceResume: true,
      logfile: "log",
      loglevel: "DEBUG",
      mailFreq: 4,
      mailTo: "a@b",
      prefix: "out/",
      resumeFrom: ["s1"],
      retry: true,
      statusHeader: true,
      useAddress: { host: "localhost", port: 0 },
      web: true,
      failFast: true,
      contextTaskLimit: 7,
      cpusPerTask: 0.5,
      envResource: ["V"],
      fill: true,
      gpu: true,
      label: "lab",
      retireCmd: "true",
      sshNode: ["h:2"],
      tasksPerNode: 3,
      lenientDirectives: true,
      noReissue: true,
      retries: 2,
      timeout: 1.5,
      capture: true,
      captureMax: 10,
    },
  );
});

Deno.test("T38 (a) no arguments: three lines, the error, a one-line usage, the help hint", () => {
  argError([], REQUIRED);
  assert.equal(
    usageErrorText(fails([])),
    `disbatch: error: ${REQUIRED}\nusage: disbatch [options] TASKFILE\nTry 'disbatch --help'.\n`,
  );
});

Deno.test("T38 (b) cannotOpenMessage formats Deno errors like Python's OSError", () => {
  let err: unknown;
  try {
    Deno.openSync("/nonexistent-disbatch-dir/nonexist");
  } catch (e) {
    err = e;
  }
  assert.equal(
    cannotOpenMessage("nonexist", err),
    "argument taskfile: can't open 'nonexist': [Errno 2] No such file or directory: 'nonexist'",
  );
  assert.equal(
    cannotOpenMessage("t", new Deno.errors.PermissionDenied("x")),
    "argument taskfile: can't open 't': [Errno 13] Permission denied: 't'",
  );
  assert.equal(
    cannotOpenMessage("d", new Deno.errors.IsADirectory("x"), "--logfile"),
    "argument --logfile: can't open 'd': [Errno 21] Is a directory: 'd'",
  );
  // Python's filename repr switches quotes; the first mention is a literal '%s'.
  assert.equal(
    cannotOpenMessage("it's", new Deno.errors.NotFound("x")),
    `argument taskfile: can't open 'it's': [Errno 2] No such file or directory: "it's"`,
  );
  assert.equal(
    cannotOpenMessage("x", new Error("boom")),
    "argument taskfile: can't open 'x': boom",
  );
});

Deno.test("T38 (c) (d) choices and type errors", () => {
  argError(
    ["--loglevel", "FOO", "Tasks"],
    "argument --loglevel: invalid choice: 'FOO' (choose from 'CRITICAL', 'ERROR', 'WARNING', " +
      "'INFO', 'DEBUG')",
  );
  argError(["-c", "abc", "Tasks"], "argument -c/--cpusPerTask: invalid float value: 'abc'");
  argError(["-t", "1.5", "Tasks"], "argument -t/--tasksPerNode: invalid int value: '1.5'");
  argError(["--mailFreq", "x", "T"], "argument --mailFreq: invalid int value: 'x'");
  argError(["-C", "1e3", "T"], "argument -C/--context-task-limit: invalid int value: '1e3'");
  argError(["-cx'y", "T"], `argument -c/--cpusPerTask: invalid float value: "x'y"`);
  assert.equal(opts(["--logl=WARNING", "T"]).loglevel, "WARNING");
});

Deno.test("Python int/float syntax", () => {
  assert.equal(opts(["-c", "1e3", "T"]).cpusPerTask, 1000);
  assert.equal(opts(["-c", " 1_0 ", "T"]).cpusPerTask, 10);
  assert.equal(opts(["-c", "5.", "T"]).cpusPerTask, 5);
  assert.equal(opts(["-c", ".25", "T"]).cpusPerTask, 0.25);
  assert.equal(opts(["-t", " +7 ", "T"]).tasksPerNode, 7);
  argError(["-c", ".", "T"], "argument -c/--cpusPerTask: invalid float value: '.'");
  argError(["-c", "1__0", "T"], "argument -c/--cpusPerTask: invalid float value: '1__0'");
  argError(["-t", "0x10", "T"], "argument -t/--tasksPerNode: invalid int value: '0x10'");
});

const MAIL_FREQ_ALONE = "argument --mailFreq: needs --mailTo ADDR";
const STARTUP_ONLY_WITH =
  "argument -S/--startup-only: not allowed with -s/--ssh-node, -E/--env-resource or " +
  "--retire-cmd (-S starts no context; give them to P_dbUtil.sh)";

Deno.test("T38 (e) §1.2 step 3: --mailFreq without --mailTo says so (the original printed help)", () => {
  argError(["--mailFreq", "3", "Tasks"], MAIL_FREQ_ALONE);
  argError(["--mailFreq", "3", "--mailTo", "", "T"], MAIL_FREQ_ALONE); // "" is no address
  assert.equal(opts(["--mailTo", "a", "T"]).mailFreq, 1);
  assert.equal(opts(["--mailFreq", "5", "--mailTo", "a", "T"]).mailFreq, 5);
  argError(
    ["--mailFreq", "0", "--mailTo", "a", "T"],
    "argument --mailFreq: invalid value: '0' (must be an integer >= 1)",
  );
});

Deno.test("T38 (f) §1.2 step 4: -S with -s, --retire-cmd or -E says so (the original printed help)", () => {
  argError(["-S", "-s", "localhost:2", "Tasks"], STARTUP_ONLY_WITH);
  argError(["-S", "--retire-cmd", "true", "Tasks"], STARTUP_ONLY_WITH);
  argError(["-S", "-E", "V", "Tasks"], STARTUP_ONLY_WITH);
  const o = opts(["-S", "--no-retire", "Tasks"]);
  assert.equal(o.startupOnly, true);
  assert.equal(o.retireCmd, "");
  assert.equal(o.noRetire, true);
});

Deno.test("§1.2 ordering: argparse, then --version, then mail, then -S, then §1.3", () => {
  argError(["--mailFreq", "3", "-S", "-s", "x:1", "Tasks"], MAIL_FREQ_ALONE);
  argError(["-S", "-s", "x:1", "--taskserver", "h:1"], STARTUP_ONLY_WITH);
  assert.deepEqual(parseDriverArgs(["--mailFreq", "3", "-S", "-s", "x:1", "--version"]), {
    version: true,
  });
  argError(
    ["--mailFreq", "3", "-c", "x", "T"],
    "argument -c/--cpusPerTask: invalid float value: 'x'",
  );
});

Deno.test("T38 (g) and §1.3 --kvsserver/--taskserver reconciliation", () => {
  const different = "Cannot use different --kvsserver and --taskservers.";
  argError(["--taskserver", "h:1"], different);
  argError(["--kvsserver", "h:1", "--taskserver", "h:2"], different);
  const pick = (argv: string[]) => {
    const o = opts(argv);
    return [o.kvsserver, o.taskserver];
  };
  assert.deepEqual(pick(["--kvsserver", "h:1", "--taskserver", "h:1"]), ["h:1", true]);
  assert.deepEqual(pick(["--kvsserver=h:1", "--taskserver=h:1"]), ["h:1", true]);
  assert.deepEqual(pick(["--kvsserver", "--taskserver", "h:1"]), ["h:1", true]);
  assert.deepEqual(pick(["--taskserver"]), [true, true]);
  assert.deepEqual(pick(["--kvsserver", "--taskserver"]), [null, true]);
  assert.deepEqual(pick(["--kvsserver", "-e", "T"]), [null, false]);
  assert.deepEqual(pick(["--kvsserver", "h:1", "T"]), ["h:1", false]);
  assert.deepEqual(pick(["--taskcommand", "cmd"]), [true, false]);
});

Deno.test("T38 (h) (i) the mutually exclusive task sources", () => {
  argError(
    ["--taskserver", "h:1", "Tasks"],
    "argument taskfile: not allowed with argument --taskserver",
  );
  argError(
    ["Tasks", "--taskserver", "h:1"],
    "argument --taskserver: not allowed with argument taskfile",
  );
  argError(["--version", "T"], "argument taskfile: not allowed with argument --version");
  argError(
    ["--taskcommand", "x", "T"],
    "argument taskfile: not allowed with argument --taskcommand",
  );
  argError(
    ["--taskcommand", "x", "--taskserver"],
    "argument --taskserver: not allowed with argument --taskcommand",
  );
  argError(["--taskserver=", "T"], "argument taskfile: not allowed with argument --taskserver");
  assert.deepEqual(parseDriverArgs(["--version"]), { version: true });
  assert.deepEqual(parseDriverArgs(["--version", "--version"]), { version: true });
  assert.equal(opts(["--taskc=cmd"]).taskcommand, "cmd");
});

Deno.test("T37 -p forms", () => {
  assert.equal(opts(["-p", "outdir", "Tasks"]).prefix, "outdir");
  assert.equal(opts(["-p", "outdir/myrun", "Tasks"]).prefix, "outdir/myrun");
  assert.equal(opts(["-p", "newdir/", "Tasks"]).prefix, "newdir/");
  assert.equal(opts(["-p", "/nonexist/x", "Tasks"]).prefix, "/nonexist/x");
  assert.equal(opts(["-pout/", "Tasks"]).prefix, "out/");
  assert.equal(opts(["--prefix=a=b", "Tasks"]).prefix, "a=b");
  assert.equal(opts(["--pre", "x", "Tasks"]).prefix, "x");
});

Deno.test("unique-prefix abbreviations and ambiguity", () => {
  assert.equal(opts(["--status", "T"]).statusHeader, true);
  assert.equal(opts(["--retry", "T"]).retry, true); // exact match beats --retries
  assert.ok("help" in parseDriverArgs(["--he"]));
  argError(
    ["--re", "x", "T"],
    "ambiguous option: --re could match --resume-from, --retry, --retire-cmd, --retries",
  );
  argError(
    ["--tasks", "3", "T"],
    "ambiguous option: --tasks could match --taskserver, --tasksPerNode",
  );
  // Words are classified before any is acted on, so ambiguity wins over earlier errors and -h.
  argError(
    ["-c", "abc", "--re=1"],
    "ambiguous option: --re=1 could match --resume-from, --retry, --retire-cmd, --retries",
  );
  argError(["-h", "--no"], "ambiguous option: --no could match --no-retire, --no-reissue");
  argError(["--stat=x", "T"], "argument --status-header: ignored explicit argument 'x'");
  argError(["--retry=", "T"], "argument -R/--retry: ignored explicit argument ''");
});

Deno.test("bundled short flags and attached short values", () => {
  const o = opts(["-eR", "T"]);
  assert.deepEqual([o.exitCode, o.retry], [true, true]);
  assert.deepEqual(opts(["-eRs", "host:1", "T"]).sshNode, ["host:1"]);
  const b = opts(["-eRshost:1", "T"]);
  assert.deepEqual([b.exitCode, b.retry, b.sshNode], [true, true, ["host:1"]]);
  assert.equal(opts(["-c2", "T"]).cpusPerTask, 2);
  assert.equal(opts(["-c=2", "T"]).cpusPerTask, 2);
  assert.equal(opts(["-t=4", "T"]).tasksPerNode, 4);
  assert.equal(opts(["-gl", "lab", "T"]).label, "lab");
  argError(["-eX", "T"], "argument -e/--exit-code: ignored explicit argument 'X'");
  argError(["-eRx", "T"], "argument -R/--retry: ignored explicit argument 'x'");
  argError(["-e=", "T"], "argument -e/--exit-code: ignored explicit argument ''");
});

Deno.test("options needing a value", () => {
  argError(["-c"], "argument -c/--cpusPerTask: expected one argument");
  argError(["-c", "-e", "T"], "argument -c/--cpusPerTask: expected one argument");
  argError(["-c", "-x", "T"], "unrecognized option '-x'");
  argError(["-p", "--", "T"], "argument -p/--prefix: expected one argument");
  argError(["--taskcommand", "-c foo"], "argument --taskcommand: expected one argument");
  // A word with a space that names no option is a value (argparse).
  assert.equal(opts(["--taskcommand", "-n foo"]).taskcommand, "-n foo");
  assert.equal(opts(["-l", "a b", "T"]).label, "a b");
  // The optional-value options take the next word unless it looks like an option.
  argError(["--kvsserver", "Tasks"], REQUIRED);
});

Deno.test("negative numbers are values (and then out of range)", () => {
  argError(
    ["-c", "-.5", "T"],
    "argument -c/--cpusPerTask: invalid value: '-.5' (must be a finite number > 0)",
  );
  argError(
    ["-C", "-5", "T"],
    "argument -C/--context-task-limit: invalid value: '-5' (must be an integer >= 0)",
  );
  assert.equal(opts(["-1"]).taskfile, "-1");
  // "-1e3" does not look like a negative number to argparse (an unknown option); here it does.
  argError(
    ["-c", "-1e3", "T"],
    "argument -c/--cpusPerTask: invalid value: '-1e3' (must be a finite number > 0)",
  );
});

Deno.test("-- ends options", () => {
  const o = opts(["--", "-e"]);
  assert.deepEqual([o.taskfile, o.exitCode], ["-e", false]);
  assert.equal(opts(["-e", "--", "T"]).taskfile, "T");
  assert.equal(opts(["T", "--"]).taskfile, "T");
  assert.equal(opts(["--", "--"]).taskfile, "--");
  assert.equal(opts(["--taskcommand", "x", "--"]).taskfile, null);
  argError(["T", "--", "x"], "unrecognized arguments: x");
  argError(["T1", "T2", "--", "T3"], "unrecognized arguments: T2 -- T3");
  argError(["T1", "-e", "--", "T2"], "unrecognized arguments: -- T2");
});

Deno.test("repeatable -r, -s, -E; --no-retire and --retire-cmd share a value", () => {
  const o = opts(["-r", "a", "-r", "b", "-s", "x:1,y:1", "-s", "z:1", "-E", "V", "-E", "W", "T"]);
  assert.deepEqual([o.resumeFrom, o.sshNode, o.envResource], [["a", "b"], ["x:1,y:1", "z:1"], [
    "V",
    "W",
  ]]);
  const n = opts(["--no-retire", "--retire-cmd", "x", "T"]);
  assert.deepEqual([n.retireCmd, n.noRetire], ["x", false]);
  assert.equal(opts(["--retire-cmd", "x", "--no-retire", "T"]).retireCmd, "");
});

Deno.test("unrecognized arguments", () => {
  argError(["T", "T2"], "unrecognized arguments: T2");
  argError(["-e", "T", "T2"], "unrecognized arguments: T2");
});

Deno.test("an unknown option is named at once, with the closest option when one is close", () => {
  argError(["--timout", "5", "T"], "unrecognized option '--timout' (did you mean --timeout?)");
  argError(["--timout=5", "T"], "unrecognized option '--timout' (did you mean --timeout?)");
  argError(["--retires", "2", "T"], "unrecognized option '--retires' (did you mean --retries?)");
  argError(
    ["--cpus-per-task", "2", "T"],
    "unrecognized option '--cpus-per-task' (did you mean --cpusPerTask?)",
  );
  argError(["--mailto", "a", "T"], "unrecognized option '--mailto' (did you mean --mailTo?)");
  argError(["--bogus", "T", "T2"], "unrecognized option '--bogus'");
  argError(["-x", "T"], "unrecognized option '-x'");
  // Before the missing task file, and before words argparse would have looked at first.
  argError(["-x"], "unrecognized option '-x'");
  argError(["--zzz", "--re"], "unrecognized option '--zzz'");
  // Unique prefixes still work.
  assert.equal(opts(["--retri", "2", "T"]).retries, 2);
  argError(["--retr", "2", "T"], "ambiguous option: --retr could match --retry, --retries");
  assert.equal(opts(["--time=3", "T"]).timeout, 3);
});

Deno.test("the word after an option that takes no value is not blamed as an extra", () => {
  argError(
    ["--retry", "2", "Tasks"],
    "unrecognized arguments: Tasks ('2' was taken as the task file: --retry takes no value;" +
      " did you mean --retries 2?)",
  );
  argError(
    ["-e", "3", "Tasks"],
    "unrecognized arguments: Tasks ('3' was taken as the task file: -e takes no value)",
  );
  // Two file names are just that.
  argError(["--fill", "x", "Tasks"], "unrecognized arguments: Tasks");
});

Deno.test("B21 --use-address must be HOST:PORT", () => {
  assert.deepEqual(opts(["--use-address=localhost:0", "T"]).useAddress, {
    host: "localhost",
    port: 0,
  });
  assert.deepEqual(opts(["--use-address", "h.x:8080", "T"]).useAddress, {
    host: "h.x",
    port: 8080,
  });
  for (const bad of ["host", "a:b:1", "host:x", "host:70000", "host:", ":80", "host:-1"]) {
    argError(
      ["--use-address", bad, "T"],
      `argument --use-address: invalid HOST:PORT value: '${bad}'`,
    );
  }
});

Deno.test("15.4 every numeric and host option is checked, naming the option and value", () => {
  const range = (argv: string[], opt: string, value: string, why: string) =>
    argError([...argv, "T"], `argument ${opt}: invalid value: '${value}' (${why})`);
  const positive = "must be a finite number > 0";
  for (const v of ["0", "-1", "nan", "inf", "-inf"]) {
    range(["-c", v], "-c/--cpusPerTask", v, positive);
    range(["--timeout", v], "--timeout", v, positive);
  }
  for (const v of ["0", "-2", "-1"]) {
    range(["-t", v], "-t/--tasksPerNode", v, "must be an integer >= 1");
  }
  range(["-C", "-1"], "-C/--context-task-limit", "-1", "must be an integer >= 0");
  range(["--mailFreq", "0", "--mailTo", "a"], "--mailFreq", "0", "must be an integer >= 1");
  range(["--retries", "-1"], "--retries", "-1", "must be an integer >= 0");
  argError(["--retries", "x", "T"], "argument --retries: invalid int value: 'x'");
  range(["-E", "A-B"], "-E/--env-resource", "A-B", "must be an environment variable name");
  range(["-E", ""], "-E/--env-resource", "", "must be an environment variable name");
  range(["-l", "a/b"], "-l/--label", "a/b", "must be a non-empty name without '/'");
  range(["-l", ""], "-l/--label", "", "must be a non-empty name without '/'");
  const host = (item: string) => `item '${item}' is not HOST:N (a host name and N >= 1 slots)`;
  for (const v of ["localhost2", "localhost:0", ":4", "h:-1", "h:1.5"]) {
    range(["-s", v], "-s/--ssh-node", v, host(v));
  }
  range(["-s", "a:1,b"], "-s/--ssh-node", "a:1,b", host("b"));
  range(["-s", ","], "-s/--ssh-node", ",", "no HOST:N item in ','");
  assert.equal(opts(["-C", "0", "T"]).contextTaskLimit, 0);
  assert.equal(opts(["-c", "0.1", "T"]).cpusPerTask, 0.1);
  assert.equal(opts(["-t", "1", "T"]).tasksPerNode, 1);
  assert.deepEqual(opts(["-s", "a:1, b:2,", "T"]).sshNode, ["a:1, b:2,"]);
  assert.equal(opts(["--retries", "0", "T"]).retries, 0);
  assert.equal(opts(["--timeout=0.5", "T"]).timeout, 0.5);
  assert.equal(opts(["--lenient", "--no-rei", "T"]).lenientDirectives, true);
});

Deno.test("--sbatch takes everything up to -- (or up to the last word)", () => {
  const o = opts(["--sbatch", "-n", "4", "--time=1:00", "--", "-e", "T"]);
  assert.deepEqual([o.sbatch, o.exitCode, o.taskfile], [["-n", "4", "--time=1:00"], true, "T"]);
  const p = opts(["-p", "x", "--sbatch", "-n", "4", "T"]);
  assert.deepEqual([p.sbatch, p.prefix, p.taskfile], [["-n", "4"], "x", "T"]);
  assert.deepEqual(opts(["--sbatch", "--", "T"]).sbatch, []);
  assert.deepEqual(opts(["--sbatch", "T"]).sbatch, []);
  // The sbatch `--` does not end disbatch options; a second one does.
  assert.equal(opts(["--sbatch", "-n", "1", "--", "--", "-x"]).taskfile, "-x");
  const expected = "argument --sbatch: expected sbatch options followed by '--' or the task file";
  argError(["--sbatch"], expected);
  argError(["--sbatch", "-n", "4", "-e"], expected);
  argError(["--sbatch=x", "T"], "argument --sbatch: ignored explicit argument 'x'");
});

Deno.test("-h/--help anywhere returns the help, unless an earlier word is in error", () => {
  for (
    const argv of [["-h"], ["--help"], ["T", "-h"], ["-eh", "T"], ["--taskserver", "h:1", "-h"]]
  ) {
    assert.deepEqual(parseDriverArgs(argv), { help: helpText() }, JSON.stringify(argv));
  }
  argError(["-c", "abc", "-h"], "argument -c/--cpusPerTask: invalid float value: 'abc'");
});

Deno.test("help and usage list every option; additions are marked", () => {
  const help = helpText();
  const flags = [
    ...["-h, --help", "-e, --exit-code", "--force-resume", "--kvsserver [HOST:PORT]"],
    ...["--logfile FILE", "--loglevel {CRITICAL,ERROR,WARNING,INFO,DEBUG}", "--mailFreq N"],
    ...["--mailTo ADDR", "-p PATH, --prefix PATH", "-r STATUSFILE, --resume-from STATUSFILE"],
    ...["-R, --retry", "-S, --startup-only", "--status-header", "--use-address HOST:PORT"],
    ...["-w, --web", "-f, --fail-fast", "--taskcommand COMMAND", "--taskserver [HOST:PORT]"],
    ...["--version", "-C TASK_LIMIT, --context-task-limit TASK_LIMIT", "-c N, --cpusPerTask N"],
    ...["-E VAR, --env-resource VAR", "--fill", "-g, --gpu", "--no-retire"],
    ...["-l LABEL, --label LABEL", "--retire-cmd COMMAND"],
    ...["-s HOST:CORECOUNT, --ssh-node HOST:CORECOUNT", "-t N, --tasksPerNode N"],
    ...["--lenient-directives", "--no-reissue", "--retries N", "--timeout SECONDS", "--sbatch"],
    ...["--capture", "--capture-max BYTES"],
    "taskfile",
  ];
  for (const f of flags) assert.ok(help.includes(`\n  ${f}`), f);
  assert.equal(help.match(/ \[disbatch\] /g)?.length, 7);
  assert.ok(help.startsWith(usageLine() + "\n\nUse batch resources"));
  assert.ok(help.endsWith("\n"));
  for (const line of help.split("\n")) assert.ok(line.length <= 78, line);
  const usage = usageLine().replace(/\s+/g, " ");
  for (const part of ["[-h]", "[-e]", "[-R]", "[--fill]", "[--timeout SECONDS]", "[taskfile]"]) {
    assert.ok(usage.includes(part), part);
  }
  assert.ok(
    usage.startsWith("usage: disbatch [-h] [-e] [--force-resume] [--kvsserver [HOST:PORT]]"),
  );
  assert.ok(usage.endsWith(" [taskfile]"));
});

Deno.test("context: the §8.1 launch line and the options a context accepts", () => {
  const launch = [
    ...["--context", "/r/run_dbUtil.sh", "--context-task-limit", "0", "--cpusPerTask", "-1.0"],
    ...["--ssh-node", "localhost:2", "--tasksPerNode", "-1"],
  ];
  assert.deepEqual(ctx(launch), {
    dbUtilPath: "/r/run_dbUtil.sh",
    contextTaskLimit: 0,
    cpusPerTask: -1,
    envResource: [],
    fill: false,
    gpu: false,
    label: null,
    retireCmd: null,
    sshNode: ["localhost:2"],
    tasksPerNode: -1,
  });
  const c = ctx([
    ...["--context", "p", "-C", "3", "-c", "0.5", "-E", "A", "--fill", "-g", "--no-retire"],
    ...["-l", "extra", "-s", "h:1", "-s", "h2:2", "-t3"],
  ]);
  assert.deepEqual(c, {
    dbUtilPath: "p",
    contextTaskLimit: 3,
    cpusPerTask: 0.5,
    envResource: ["A"],
    fill: true,
    gpu: true,
    label: "extra",
    retireCmd: "",
    sshNode: ["h:1", "h2:2"],
    tasksPerNode: 3,
  });
  assert.equal(ctx(["-s", "x:1", "--context", "p", "--retire-cmd", ""]).retireCmd, "");
  assert.equal(ctx(["--context", "--", "p"]).dbUtilPath, "p");
});

Deno.test("context: errors and help", () => {
  const e = fails(["--context"], parseContextArgs);
  assert.equal(e.message, "the following arguments are required: dbutilpath");
  assert.equal(e.usage, "usage: P_dbUtil.sh [context options]");
  const t = fails(["--context", "/r/x_dbUtil.sh", "-t", "0"], parseContextArgs);
  assert.equal(
    usageErrorText(t),
    "disbatch: error: argument -t/--tasksPerNode: invalid value: '0' (must be an integer >= 1)\n" +
      "usage: /r/x_dbUtil.sh [context options]\nTry '/r/x_dbUtil.sh --help'.\n",
  );
  // -1 is the driver's "not given" for -c and -t (inherited from the run); nothing else is.
  assert.equal(ctx(["--context", "p", "-c", "-1"]).cpusPerTask, -1);
  assert.match(fails(["--context", "p", "-c", "-2"], parseContextArgs).message, /> 0/);
  assert.match(fails(["--context", "p", "-s", "h:0"], parseContextArgs).message, /N >= 1/);
  assert.equal(
    fails(["--context", "p", "--c", "1"], parseContextArgs).message,
    "ambiguous option: --c could match --context, --context-task-limit, --cpusPerTask",
  );
  assert.equal(
    fails(["--context", "p", "Tasks"], parseContextArgs).message,
    "unrecognized arguments: Tasks",
  );
  assert.equal(
    fails(["--context", "p", "--taskcommand", "x"], parseContextArgs).message,
    "unrecognized option '--taskcommand'",
  );
  const h = parseContextArgs(["--context", "p", "-h"]);
  assert.ok("help" in h && h.help.includes("Set up disBatch execution context"));
  assert.ok("help" in h && h.help.includes("\n  --retire-cmd COMMAND"));
  assert.ok("help" in h && !h.help.includes("other commands"));
});
