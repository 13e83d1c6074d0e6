/**
 * Real file-system faults for tests: a small tmpfs that fills up (ENOSPC), a read-only one
 * (EROFS). Mounting needs root; tests skip with a note otherwise. Every mount is undone in
 * `finally`, whatever the test does.
 * @module
 */

/** Mounting is possible (root in a machine or container that allows tmpfs mounts). */
export const CAN_MOUNT = Deno.uid() === 0;

/** Why a fault test is skipped when {@link CAN_MOUNT} is false. */
export const MOUNT_NOTE = "needs root to mount a tmpfs; skipped";

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** A mounted tmpfs: its directory, and a way to give it more room. */
export interface Tmpfs {
  dir: string;
  /** Remounts with `bytes` of room (frees space without touching its files). */
  resize(bytes: number): Promise<void>;
}

/**
 * Runs `fn` with a fresh tmpfs of `bytes` mounted (read-only with `readOnly`), unmounted and
 * removed afterwards.
 */
export async function withTmpfs<T>(
  bytes: number,
  fn: (fs: Tmpfs) => Promise<T>,
  opts: { readOnly?: boolean } = {},
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "disbatch-fault-" });
  try {
    await run("mount", [
      "-t",
      "tmpfs",
      "-o",
      `${opts.readOnly ? "ro," : ""}size=${bytes},mode=0777`,
      "tmpfs",
      dir,
    ]);
    try {
      return await fn({
        dir,
        resize: (n) => run("mount", ["-o", `remount,size=${n}`, dir]),
      });
    } finally {
      // Lazily: a process the test failed to end must not leave the mount behind.
      await run("umount", ["-l", dir]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
