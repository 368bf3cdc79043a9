// Compaction's first pass: for every key in the cleanable part of a log, the
// offset of its latest record.
//
//   key (record key bytes as a latin1 string: one char per byte, so distinct
//   keys stay distinct) -> highest offset seen
//
// Control batches and transactional batches take no part: they are kept as
// they are (an aborted transactional record must not hide the committed value
// it would have replaced), so only non-transactional records can make an
// older record obsolete.

import { Attr } from '../protocol/record-batch.js';
import { batchRecordBytes, sliceRecords } from '../protocol/records.js';

export class KeyMap {
  private readonly latest = new Map<string, number>();

  get size(): number {
    return this.latest.size;
  }

  /** Notes every keyed record of the batch at `buf[pos]`. */
  addBatch(buf: Buffer, pos: number): void {
    if (!isCleanable(buf, pos)) return;
    const baseOffset = Number(buf.readBigInt64BE(pos));
    for (const r of sliceRecords(batchRecordBytes(buf, pos))) {
      if (r.key !== null) this.latest.set(r.key.toString('latin1'), baseOffset + r.offsetDelta);
    }
  }

  /** Whether the record of `key` at `offset` is the latest one for its key. */
  isLatest(key: Buffer, offset: number): boolean {
    const latest = this.latest.get(key.toString('latin1'));
    return latest === undefined || latest === offset;
  }
}

/** Whether compaction may look inside the batch at `buf[pos]`: neither a control nor a transactional batch. */
export function isCleanable(buf: Buffer, pos: number): boolean {
  return (buf.readInt16BE(pos + 21) & (Attr.Control | Attr.Transactional)) === 0;
}
