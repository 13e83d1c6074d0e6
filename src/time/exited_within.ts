/**
 * Waiting for something with a deadline.
 * @module
 */
import { after, type Timer } from "./timer.ts";

/**
 * True when `status` settles within `ms`; false when the time runs out first. The deadline is
 * cancelled as soon as `status` settles, so it does not hold the process after that (see
 * {@link after}).
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
