// What one partition took in from producers and gave out to consumers since
// the broker started: plain fields bumped on the produce and fetch paths
// (one addition each per partition and request), read by GET /metrics and the
// stats history when they ask. Bytes are record batch bytes as they travel on
// the wire (after recompression and dedup.header on the way in); records are
// counted from batch headers, so nothing is decoded for it.

export class PartitionTraffic {
  /** Records appended by Produce (from clients or the HTTP API). */
  recordsIn = 0;
  /** Record batch bytes appended by Produce. */
  bytesIn = 0;
  /** Records in the batches Fetch returned to consumers (whole batches: a first batch may start before the fetch offset). */
  recordsOut = 0;
  /** Record batch bytes Fetch returned to consumers. */
  bytesOut = 0;
}

/** Traffic summed over partitions: per topic, or the whole broker. */
export function sumTraffic(parts: Iterable<PartitionTraffic>): PartitionTraffic {
  const total = new PartitionTraffic();
  for (const t of parts) {
    total.recordsIn += t.recordsIn;
    total.bytesIn += t.bytesIn;
    total.recordsOut += t.recordsOut;
    total.bytesOut += t.bytesOut;
  }
  return total;
}
