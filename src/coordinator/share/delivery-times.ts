// When share groups may first be given the records of one batch. A batch's
// own time (the topic's delivery.delay.ms after its first timestamp, or 0)
// holds for every record, except records with a `sluice-deliver-at` header
// (epoch milliseconds as decimal ASCII), which are due at that time instead.
// A malformed value is no time: that record is due with its batch.
//
// Cost, paid only when a share group takes new records: one native search of
// the batch's bytes for the header key; only a batch that contains it is
// walked record by record (record-scan.ts, no record objects). A compressed
// batch must be decompressed to be searched at all.

import { batchBaseOffset } from '../../protocol/record-batch.js';
import { scanRecords } from '../../protocol/record-scan.js';
import { batchRecordBytes } from '../../protocol/records.js';

export const DELIVER_AT_HEADER = 'sluice-deliver-at';
const DELIVER_AT_KEY = Buffer.from(DELIVER_AT_HEADER);

/** Offsets `first`..`last` due at `notBefore` (ms since the epoch; 0: now). */
export interface DeliveryTime {
  first: number;
  last: number;
  notBefore: number;
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
 * The delivery times of the records of the batch at `data[pos]` (offsets
 * `first`..`last`), as runs in offset order covering them all: `batchNotBefore`
 * for records without a well-formed deliver-at header. A batch that cannot be
 * read (it passed its CRC, so only a decompression limit) is due with its batch.
 */
export function batchDeliveryTimes(data: Buffer, pos: number, first: number, last: number, batchNotBefore: number): DeliveryTime[] {
  const whole = [{ first, last, notBefore: batchNotBefore }];
  let body: Buffer;
  try {
    body = batchRecordBytes(data, pos);
  } catch {
    return whole;
  }
  if (body.indexOf(DELIVER_AT_KEY) < 0) return whole;
  const base = batchBaseOffset(data, pos);
  const times: DeliveryTime[] = [];
  try {
    scanRecords(body, DELIVER_AT_KEY, (_start, _end, offsetDelta, _timestampDelta, valueStart, valueEnd) => {
      const offset = base + offsetDelta;
      const notBefore = (valueStart >= 0 ? parseMillis(body, valueStart, valueEnd) : null) ?? batchNotBefore;
      const prev = times[times.length - 1];
      if (prev !== undefined) prev.last = offset - 1;
      if (prev !== undefined && prev.notBefore === notBefore) prev.last = offset;
      else times.push({ first: offset, last: offset, notBefore });
    });
  } catch {
    return whole;
  }
  if (times.length === 0) return whole;
  times[0].first = first;
  times[times.length - 1].last = last;
  return times;
}
