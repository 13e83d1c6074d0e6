/**
 * The loop of scripts/spawn_limit.c, in this runtime: `posix_spawn` of `bash -c LINE` in a new
 * session through Deno's FFI, SLOTS at a time, reaped by a blocking `waitpid` on the main thread,
 * which never returns to the event loop. With `--pipes`, each task's stdout and stderr are pipes,
 * read to their end at its exit (what disbatch does for a short task). Nothing is recorded.
 * With `--work-us=N`, the loop spends N µs of its thread's CPU for each reaped task, once the
 * slots are full again (before it blocks): a model of a runner's bookkeeping per task, done
 * after the next spawn as disbatch does it (bench/RESULTS.md, "Local throughput, session 15").
 *
 * A measuring tool for issue #16 item 3 (bench/RESULTS.md, "Local throughput, session 10"): it
 * shows what a Deno process costs when it waits for its children the way the C loop does, apart
 * from what disbatch's event loop, protocol and status file cost.
 *
 * Usage: `deno run -A scripts/spawn_loop.ts [--pipes] [--work-us=N] SLOTS TASKFILE`
 * @module
 */
import { cString, StringArrayBuilder } from "../src/proc/c_strings.ts";
import { openLibc } from "../src/proc/libc.ts";

const POSIX_SPAWN_SETSID = 0x80;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;

const encoder = new TextEncoder();
const CLOCK_THREAD_CPUTIME_ID = 3;

/** Spends `us` µs of this thread's CPU (not wall time: a preempted loop would spend less). */
function cpuBurner(): (us: number) => void {
  const { clock_gettime } = Deno.dlopen("libc.so.6", {
    clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  }).symbols;
  const ts = new BigInt64Array(2);
  const nowUs = () => {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts);
    return Number(ts[0]) * 1e6 + Number(ts[1]) / 1e3;
  };
  return (us) => {
    const end = nowUs() + us;
    while (nowUs() < end) { /* spending CPU is the point */ }
  };
}

/**
 * Runs every line of `file` as `bash -c LINE`, `slots` at a time; returns failed spawns.
 * `workUs`: CPU spent per reaped task before the loop blocks again (see the module doc).
 */
export function spawnLoop(slots: number, file: string, pipes: boolean, workUs = 0): number {
  const lib = openLibc();
  if (lib === null) throw new Error("no FFI access to glibc");
  const burn = workUs > 0 ? cpuBurner() : null;
  /** Reaped tasks whose bookkeeping (`workUs` each) is still to be spent. */
  let owed = 0;
  // Built once and kept; argv is laid out again for each task in a builder of its own.
  const envp = new StringArrayBuilder().build(
    Object.entries(Deno.env.toObject()).map(([k, v]) => encoder.encode(`${k}=${v}`)),
  );
  const argvBuilder = new StringArrayBuilder();
  const attr = new Uint8Array(1024);
  lib.posix_spawnattr_init(attr);
  lib.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID);
  const bash = cString("/bin/bash");
  const pid = new Int32Array(1);
  const status = new Int32Array(1);
  const ends = new Int32Array(2);
  const buf = new Uint8Array(65536);
  /** pid → the read ends of its pipes (empty without --pipes). */
  const running = new Map<number, number[]>();
  let failed = 0;
  const start = (line: string) => {
    const argv = argvBuilder.build(["/bin/bash", "-c", line].map((a) => encoder.encode(a)));
    const actions = new Uint8Array(512);
    lib.posix_spawn_file_actions_init(actions);
    const readEnds: number[] = [];
    const writeEnds: number[] = [];
    if (pipes) {
      for (const fd of [1, 2]) {
        lib.pipe2(ends, O_CLOEXEC | O_NONBLOCK);
        readEnds.push(ends[0]);
        writeEnds.push(ends[1]);
        lib.posix_spawn_file_actions_adddup2(actions, ends[1], fd);
      }
    }
    const rc = lib.posix_spawn(pid, bash, actions, attr, argv, envp);
    lib.posix_spawn_file_actions_destroy(actions);
    writeEnds.forEach((fd) => lib.close(fd));
    if (rc !== 0) {
      readEnds.forEach((fd) => lib.close(fd));
      failed++;
      return;
    }
    running.set(pid[0], readEnds);
  };
  const lines = Deno.readTextFileSync(file).split("\n").filter((l) => l.length > 0);
  let next = 0;
  while (next < lines.length || running.size > 0) {
    if (running.size < slots && next < lines.length) {
      start(lines[next++]);
      continue;
    }
    for (; burn !== null && owed > 0; owed--) burn(workUs);
    const done = lib.waitpid(-1, status, 0);
    const readEnds = running.get(done);
    if (readEnds === undefined) continue;
    running.delete(done);
    owed++;
    for (const fd of readEnds) {
      while (Number(lib.read(fd, buf, BigInt(buf.length))) > 0) { /* output not kept */ }
      lib.close(fd);
    }
  }
  return failed;
}

if (import.meta.main) {
  const pipes = Deno.args.includes("--pipes");
  const work = Deno.args.find((a) => a.startsWith("--work-us="));
  const workUs = work === undefined ? 0 : Number(work.slice("--work-us=".length));
  const [slots, file, extra] = Deno.args.filter((a) => a !== "--pipes" && a !== work);
  if (!(Number(slots) >= 1) || file === undefined || extra !== undefined || !(workUs >= 0)) {
    console.error("usage: spawn_loop.ts [--pipes] [--work-us=N] SLOTS TASKFILE");
    Deno.exitCode = 2;
  } else {
    Deno.exitCode = spawnLoop(Number(slots), file, pipes, workUs) > 0 ? 1 : 0;
  }
}
