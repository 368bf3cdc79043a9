// Where new partitions' replicas go: spread round-robin over the live brokers
// from a rotating start, so that replicas and leaders (the first replica)
// spread too; with racks, consecutive replicas of a partition on different
// racks where possible. Requests are checked before (broker/replica-placement.ts).

export interface PlacementBroker {
  nodeId: number;
  rack: string | null;
}

/**
 * Replicas for `count` partitions of `factor` replicas each (factor at most the
 * number of brokers). `start` rotates the first leader; partition i leads on
 * the broker after partition i-1's leader.
 */
export function assignReplicas(brokers: PlacementBroker[], count: number, factor: number, start: number): number[][] {
  const ring = rackAlternating(brokers);
  const n = ring.length;
  const result: number[][] = [];
  for (let i = 0; i < count; i++) {
    const first = (((start + i) % n) + n) % n;
    // Each round of n partitions shifts its followers by one more, so that followers spread as leaders do.
    const shift = 1 + (Math.floor(i / n) % Math.max(1, n - 1));
    result.push(pickReplicas(ring, first, shift, factor));
  }
  return result;
}

/** Brokers ordered so that neighbours are on different racks where possible: one from each rack in turn. */
function rackAlternating(brokers: PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of [...brokers].sort((x, y) => x.nodeId - y.nodeId)) {
    const rack = b.rack ?? '';
    byRack.set(rack, [...(byRack.get(rack) ?? []), b]);
  }
  const racks = [...byRack.keys()].sort();
  const ring: PlacementBroker[] = [];
  for (let round = 0; ring.length < brokers.length; round++) {
    for (const rack of racks) {
      const b = (byRack.get(rack) as PlacementBroker[])[round];
      if (b) ring.push(b);
    }
  }
  return ring;
}

/** `factor` distinct brokers from ring[first], stepping by `shift`, preferring racks the partition has not used yet. */
function pickReplicas(ring: PlacementBroker[], first: number, shift: number, factor: number): number[] {
  const n = ring.length;
  const chosen: PlacementBroker[] = [ring[first]];
  const racksUsed = new Set([ring[first].rack ?? '']);
  const allRacks = new Set(ring.map((b) => b.rack ?? ''));
  for (let step = 1; chosen.length < factor; step++) {
    if (racksUsed.size === allRacks.size) racksUsed.clear();
    const candidates = Array.from({ length: n }, (_, k) => ring[(first + step * shift + k) % n]).filter((b) => !chosen.includes(b));
    const pick = candidates.find((b) => !racksUsed.has(b.rack ?? '')) ?? candidates[0];
    chosen.push(pick);
    racksUsed.add(pick.rack ?? '');
  }
  return chosen.map((b) => b.nodeId);
}
