/**
 * Slots per host from a run's `P_driver.log`: each engine's registration names its node and
 * its cylinders (slots), and its end is logged when it stops or is lost. A host's slots are the
 * most cylinders its engines had at one time. Python disBatch's driver log says none of this:
 * the report then estimates slots from the status file.
 * @module
 */

const REGISTERED = /\bengine (\d+) registered: node (.*), pid -?\d+, (\d+) cylinders$/;
const ENDED = /\bengine (\d+) (?:stopped$|on .* lost with )/;

/** Host name → slots, from the driver log's text; empty when it names no engine. */
export function driverLogSlots(text: string): Map<string, number> {
  const active = new Map<string, { host: string; cylinders: number }>();
  const now = new Map<string, number>();
  const most = new Map<string, number>();
  for (const line of text.split("\n")) {
    const reg = REGISTERED.exec(line);
    if (reg) {
      const [, rank, host, cyl] = reg;
      const cylinders = Number(cyl);
      active.set(rank, { host, cylinders });
      const n = (now.get(host) ?? 0) + cylinders;
      now.set(host, n);
      most.set(host, Math.max(most.get(host) ?? 0, n));
      continue;
    }
    const end = ENDED.exec(line);
    const engine = end && active.get(end[1]);
    if (engine) {
      active.delete(end[1]);
      now.set(engine.host, now.get(engine.host)! - engine.cylinders);
    }
  }
  return most;
}
