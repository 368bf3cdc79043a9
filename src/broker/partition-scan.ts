// A bounded read of a partition's records as objects, for those who look at
// records rather than move batches (the HTTP API's record browser, a group's
// lag in time): from an offset up to the high watermark, at most so many
// records and so many bytes of batches, transaction markers left out. It never
// waits: at the high watermark it stops with what it has, so an empty
// partition answers at once. A corrupt batch ends the scan: the records before
// it are returned with the range that stopped it, never its bytes.

import { type Record, decodeBatch } from '../protocol/records.js';
import { batchLastOffset, batchSize, isControlBatch } from '../protocol/record-batch.js';
import { CorruptBatchError, type CorruptRange } from '../storage/corrupt-batch.js';
import type { Partition } from './partition.js';

export interface ScanLimits {
  maxRecords: number;
  /** Bytes of batches read, past which no further batch is read (the first always is). */
  maxBytes: number;
}

export interface ScanResult {
  records: Record[];
  /** Where a scan that goes on starts: one past the last record looked at. */
  nextOffset: number;
  /** The corrupt batch the scan stopped at, or null. */
  corrupt: CorruptRange | null;
}

export function scanRecords(p: Partition, from: number, limits: ScanLimits): ScanResult {
  const records: Record[] = [];
  const end = p.highWatermark;
  let next = Math.max(from, p.logStartOffset);
  let bytesLeft = limits.maxBytes;
  while (next < end && records.length < limits.maxRecords && bytesLeft > 0) {
    let batches: Buffer;
    try {
      batches = p.log.read(next, bytesLeft, end, true);
    } catch (err) {
      if (err instanceof CorruptBatchError) return { records, nextOffset: next, corrupt: err.range };
      throw err;
    }
    if (batches.length === 0) break;
    bytesLeft -= batches.length;
    for (let pos = 0; pos < batches.length && records.length < limits.maxRecords; pos += batchSize(batches, pos)) {
      if (isControlBatch(batches, pos)) {
        next = batchLastOffset(batches, pos) + 1;
        continue;
      }
      const batch = decodeBatch(batches, pos);
      for (const r of batch.records) {
        if (r.offset < next) continue;
        if (records.length === limits.maxRecords) break;
        records.push(r);
        next = r.offset + 1;
      }
      // Records removed by compaction leave the batch's last offset past its last record.
      if (records.length < limits.maxRecords) next = Math.max(next, batchLastOffset(batches, pos) + 1);
    }
  }
  return { records, nextOffset: next, corrupt: null };
}
