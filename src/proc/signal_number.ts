/**
 * Linux signal names and numbers. Deno reports a child's terminating signal by name
 * (`"SIGKILL"`), while the status file wants `-N`.
 * @module
 */

/** Standard Linux signal numbers (x86/ARM layout; SIGIOT/SIGPOLL/SIGCLD are aliases). */
const NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** The Linux number of a signal name (`"SIGKILL"` or `"KILL"`, any case); 0 when unknown. */
export function signalNumber(name: string): number {
  const upper = name.toUpperCase();
  const full = upper.startsWith("SIG") ? upper : "SIG" + upper;
  return Object.hasOwn(NUMBERS, full) ? NUMBERS[full] : 0;
}
