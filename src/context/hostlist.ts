/**
 * Slurm hostlist expansion, giving the same names in the same order as
 * `scontrol show hostnames` (Slurm 22.05, checked against the real command): items are
 * separated by commas or whitespace outside brackets; each bracket holds ranges `lo[-hi]`
 * zero-padded to the width of `lo`; several brackets in one item expand as a product, the
 * first bracket varying slowest; text after the last bracket is an error; duplicates are kept.
 * @module
 */

/** The hostlist cannot be expanded. */
export class HostlistError extends Error {
  override name = "HostlistError";
}

/** `n[1-3,7]` → `n1 n2 n3 n7`; `a[01-03],b5` → `a01 a02 a03 b5`. */
export function expandHostlist(list: string): string[] {
  const out: string[] = [];
  for (const item of splitItems(list)) out.push(...expandItem(item, list));
  return out;
}

function splitItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of list) {
    if (ch === "[") depth++;
    else if (ch === "]") depth--;
    if (depth === 0 && (ch === "," || /\s/.test(ch))) {
      if (cur !== "") items.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (depth !== 0) throw new HostlistError(`Invalid hostlist: ${list} (unbalanced brackets)`);
  if (cur !== "") items.push(cur);
  return items;
}

function expandItem(item: string, list: string): string[] {
  if (!item.includes("[")) return [item];
  let names = [""];
  let covered = 0;
  for (const m of item.matchAll(/([^[\]]*)\[([^[\]]*)\]/g)) {
    const [whole, text, ranges] = m;
    if (m.index !== covered) break;
    covered += whole.length;
    const values = expandRanges(ranges, list);
    names = names.flatMap((n) => values.map((v) => n + text + v));
  }
  if (covered !== item.length) throw new HostlistError(`Invalid hostlist: ${list}`);
  return names;
}

function expandRanges(ranges: string, list: string): string[] {
  const out: string[] = [];
  for (const r of ranges.split(",")) {
    const m = r.trim().match(/^(\d+)(?:-(\d+))?$/);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi < lo) throw new HostlistError(`Invalid range '${r}' in hostlist ${list}`);
    for (let i = lo; i <= hi; i++) out.push(String(i).padStart(m[1].length, "0"));
  }
  return out;
}
