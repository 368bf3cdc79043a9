// Monotonic counters of broker events, exposed by GET /metrics as Prometheus
// counters (src/http/metrics-routes.ts). Plain fields, incremented
// synchronously on the paths that count them.

export class BrokerCounters {
  /** Records dropped by dedup.header because their header value was accepted within dedup.window.ms. */
  dedupDroppedRecords = 0;
  /** Produce batches recognised as retries of idempotent batches already in the log (answered, not appended). */
  duplicateBatches = 0;
  /** Record batches found failing their CRC32C check on disk (kept, never served). */
  corruptBatches = 0;
  /** ISR changes this broker made as a leader (control plane answered) that dropped followers. */
  isrShrinks = 0;
  /** ISR changes this broker made as a leader that added a caught-up follower. */
  isrExpands = 0;
}
