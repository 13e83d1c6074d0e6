/**
 * Waiting for something with a deadline.
 * @module
 */
import { after, type Timer } from "./timer.ts";

/**
 * True when `status` settles within `ms`; false when the time runs out first. The deadline
 * does not keep the process alive (see {@link after}): `status` stands for a pending operation
 * such as a child's exit or a connection attempt.
 */
export async function exitedWithin(status: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      status.then(() => true),
      new Promise<boolean>((resolve) => timer = after(ms, () => resolve(false))),
    ]);
  } finally {
    timer?.cancel();
  }
}
