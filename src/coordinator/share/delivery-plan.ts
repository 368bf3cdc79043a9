// When, and whether, share groups are given the records of one batch they
// have never delivered. When: a batch's own time (the topic's
// delivery.delay.ms after its first timestamp, or 0) holds for every record,
// except records with a `sluice-deliver-at` header (epoch milliseconds as
// decimal ASCII), which are due at that time instead; a malformed value is no
// time, so that record is due with its batch. Whether: records the group's
// filter (share.filter, record-filter.ts) does not pass are filtered out.
//
// Cost, paid only when a share group takes records it has never delivered:
// without a filter, one native search of the batch's bytes for the header
// key, and a walk record by record (record-scan.ts, no record objects) only
// of a batch that contains it; with a filter, every record is walked. A
// compressed batch must be decompressed to be looked at at all.

import type { ShareFilter } from '../../metadata/share-filter.js';
import { batchBaseOffset } from '../../protocol/record-batch.js';
import { scanRecords } from '../../protocol/record-scan.js';
import { batchRecordBytes } from '../../protocol/records.js';
import { MalformedFrameError } from '../../protocol/malformed-frame-error.js';
import { recordPasses } from './record-filter.js';

export const DELIVER_AT_HEADER = 'sluice-deliver-at';
const DELIVER_AT_KEY = Buffer.from(DELIVER_AT_HEADER);

/** Offsets `first`..`last`: due at `notBefore` (ms since the epoch; 0: now), or filtered out (never delivered). */
export interface DeliveryRun {
  first: number;
  last: number;
  notBefore: number;
  filteredOut: boolean;
}

/** Longest decimal value taken as a time: 16 digits cover every safe integer of milliseconds. */
const MAX_DIGITS = 16;

/** The value body[start, end) as milliseconds, or null when it is not plain decimal digits. */
function parseMillis(body: Buffer, start: number, end: number): number | null {
  if (end <= start || end - start > MAX_DIGITS) return null;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = body[i] - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The plan for the records of the batch at `data[pos]` (offsets
 * `first`..`last`), as runs in offset order covering them all; an offset
 * without a record (compacted away) goes with the record before it. A batch
 * or record that cannot be read (it passed its CRC, so only a decompression
 * limit) is due with its batch and passes the filter.
 */
export function planBatch(data: Buffer, pos: number, first: number, last: number, batchNotBefore: number, filter: ShareFilter | null): DeliveryRun[] {
  const whole = [{ first, last, notBefore: batchNotBefore, filteredOut: false }];
  let body: Buffer;
  try {
    body = batchRecordBytes(data, pos);
  } catch {
    return whole;
  }
  if (filter === null && body.indexOf(DELIVER_AT_KEY) < 0) return whole;
  const base = batchBaseOffset(data, pos);
  const runs: DeliveryRun[] = [];
  try {
    scanRecords(body, DELIVER_AT_KEY, (start, end, offsetDelta, _timestampDelta, valueStart, valueEnd) => {
      const offset = base + offsetDelta;
      const notBefore = (valueStart >= 0 ? parseMillis(body, valueStart, valueEnd) : null) ?? batchNotBefore;
      const filteredOut = filter !== null && !recordPasses(body, start, end, filter);
      const prev = runs[runs.length - 1];
      if (prev !== undefined) prev.last = offset - 1;
      if (prev !== undefined && prev.notBefore === notBefore && prev.filteredOut === filteredOut) prev.last = offset;
      else runs.push({ first: offset, last: offset, notBefore, filteredOut });
    });
  } catch (err) {
    if (!(err instanceof MalformedFrameError)) throw err;
    return whole;
  }
  if (runs.length === 0) return whole;
  runs[0].first = first;
  runs[runs.length - 1].last = last;
  return runs;
}
