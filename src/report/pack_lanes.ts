/**
 * Lanes of a timeline by packing each host's task intervals (greedy interval partitioning):
 * status lines carry no slot number, so each attempt goes to the lowest lane of its host that
 * is free when it starts. A host gets as many lanes as it ran tasks at once, never more.
 * @module
 */
import { MinHeap } from "./min_heap.ts";

/** Lane of each interval (within its host) and the number of lanes of each host. */
export interface PackedLanes {
  /** `lane[k]` is the lane of the interval `ids[k]` given to {@link packLanes}. */
  lane: Uint32Array;
  lanesPerHost: Uint32Array;
  /** Positions in `ids` by start time (ties: given order): each lane's intervals in order. */
  order: Uint32Array;
}

/**
 * Packs the intervals `ids` (indices into `host`, `start`, `finish`) into lanes per host. An
 * interval may reuse a lane at the instant the previous one there finished.
 */
export function packLanes(
  ids: Uint32Array,
  host: Uint32Array,
  start: Float64Array,
  finish: Float64Array,
  hostCount: number,
): PackedLanes {
  const order = new Uint32Array(ids.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  order.sort((a, b) => start[ids[a]] - start[ids[b]] || a - b);
  const lane = new Uint32Array(ids.length);
  const lanesPerHost = new Uint32Array(hostCount);
  const busy: MinHeap[] = []; // per host: (finish, lane)
  const free: MinHeap[] = []; // per host: (lane, lane)
  for (const k of order) {
    const i = ids[k];
    const h = host[i];
    const b = busy[h] ??= new MinHeap();
    const f = free[h] ??= new MinHeap();
    while (b.size > 0 && b.peekKey()! <= start[i]) {
      const l = b.pop()!;
      f.push(l, l);
    }
    const l = f.size > 0 ? f.pop()! : lanesPerHost[h]++;
    lane[k] = l;
    b.push(Math.max(finish[i], start[i]), l);
  }
  return { lane, lanesPerHost, order };
}
