// Compaction's second pass over one batch: drop records that a later record
// with the same key made obsolete, and tombstones past their delete horizon.

import { batchRecordBytes, rewriteBatch, sliceRecords } from '../protocol/records.js';
import { type KeyMap, isCleanable } from './key-map.js';

export interface CleanedBatch {
  /** The batch to keep: the original bytes when nothing was removed; null when no record is left. */
  batch: Buffer | null;
  recordsRemoved: number;
  /** Whether the kept records include a tombstone (null value). */
  hasTombstones: boolean;
}

/**
 * Cleans the batch at `buf[pos]` against `keys`. Records with a null key, and
 * control and transactional batches, are kept unchanged.
 */
export function cleanBatch(buf: Buffer, pos: number, size: number, keys: KeyMap, removeTombstones: boolean): CleanedBatch {
  const original = (): Buffer => buf.subarray(pos, pos + size);
  if (!isCleanable(buf, pos)) return { batch: original(), recordsRemoved: 0, hasTombstones: false };
  const baseOffset = Number(buf.readBigInt64BE(pos));
  const body = batchRecordBytes(buf, pos);
  const records = sliceRecords(body);
  const kept = records.filter((r) => r.key === null || (keys.isLatest(r.key, baseOffset + r.offsetDelta) && !(removeTombstones && r.valueIsNull)));
  const hasTombstones = kept.some((r) => r.valueIsNull);
  const recordsRemoved = records.length - kept.length;
  if (recordsRemoved === 0) return { batch: original(), recordsRemoved, hasTombstones };
  if (kept.length === 0) return { batch: null, recordsRemoved, hasTombstones };
  return { batch: rewriteBatch(buf, pos, body, kept), recordsRemoved, hasTombstones };
}
