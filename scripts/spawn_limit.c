/*
 * The physical limit of running a task file N at a time (scripts/bench.ts, case "limit"):
 * posix_spawn `bash -c LINE` in a new session (what disbatch does for every task), N children
 * at a time, and record nothing.
 *
 * With STARTUP_MS, the loop first uses that much CPU on its thread, as any program with a
 * runtime does before its first spawn (disbatch: about 0.2 s). On the PVM guest where the
 * bench runs, where the kernel places the spawned children for the whole run depends on the
 * spawning thread's recent CPU use when the spawns begin (bench/RESULTS.md, session 13): the
 * bare loop starts within a millisecond and gets the other placement.
 * Usage: spawn_limit SLOTS TASKFILE [STARTUP_MS]
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char **environ;

/* Uses `ms` milliseconds of this thread's CPU time. */
static void busy(long ms) {
  struct timespec a, b;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
  do {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
  } while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s SLOTS TASKFILE [STARTUP_MS]\n", argv[0]);
    return 2;
  }
  int slots = atoi(argv[1]);
  FILE *f = fopen(argv[2], "r");
  if (slots < 1 || f == NULL) {
    perror(argv[2]);
    return 2;
  }
  if (argc == 4) busy(atol(argv[3]));
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int running = 0, failed = 0, status;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = '\0';
    if (running == slots && wait(&status) > 0) running--;
    char *args[] = {"bash", "-c", line, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "bash", NULL, &attr, args, environ) != 0) {
      failed++;
      continue;
    }
    running++;
  }
  while (running > 0 && wait(&status) > 0) running--;
  return failed ? 1 : 0;
}
