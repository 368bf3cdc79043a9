// Checks the batches of one partition in a produce request before anything is
// appended: all or nothing, as Kafka does. Besides the header and CRC32C,
// validation walks the records' length prefixes to check the count
// (decompressing compressed batches, capped), as Kafka does; on topics with
// per-record rules (record-rules.ts: keys on compacted topics, timestamp
// bounds) the same walk checks each record against them.

import { ErrorCode } from '../protocol/error-codes.js';
import { Attr, LOG_OVERHEAD, batchSize, checkBatch } from '../protocol/record-batch.js';
import { batchRecordBytes, countRecords } from '../protocol/records.js';
import { type RecordError, type RecordRules, type RecordRulesRejection, checkRecordRules } from './record-rules.js';

export interface BatchRejection {
  errorCode: number;
  message: string;
  /** Produce v8+ record errors, for batches refused for some of their records. */
  recordErrors?: RecordError[];
}

const MAX_CODEC = 4;

/**
 * Counts the records actually in the batch (decompressing with a size cap),
 * as Kafka does, so a header cannot claim offsets the batch does not fill;
 * with `rules`, checks each record against them on the way. Null when the
 * body cannot be read.
 */
function countedRecords(records: Buffer, pos: number, rules: RecordRules | null): { count: number; rejection: RecordRulesRejection | null } | null {
  try {
    const body = batchRecordBytes(records, pos);
    return rules ? checkRecordRules(records, pos, body, rules) : { count: countRecords(body), rejection: null };
  } catch {
    return null;
  }
}

/** MESSAGE_TOO_LARGE for a batch over max.message.bytes, or null. */
export function oversizedBatch(size: number, maxBatchBytes: number): BatchRejection | null {
  return size > maxBatchBytes ? { errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `batch of ${size} bytes exceeds max.message.bytes ${maxBatchBytes}` } : null;
}

/**
 * Returns why the batches in `records` cannot be appended, or null if they all
 * can. `rules` (record-rules.ts) are the topic's per-record rules, or null.
 */
export function validateProducedBatches(records: Buffer, maxBatchBytes: number, rules: RecordRules | null = null): BatchRejection | null {
  if (records.length === 0) return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'no record batch in the request' };
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < LOG_OVERHEAD) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `${records.length - pos} trailing bytes after the last batch` };
    }
    const problem = checkBatch(records, pos, records.length);
    if (problem) {
      const errorCode = problem.kind === 'unsupported' ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE;
      return { errorCode, message: problem.message };
    }
    const size = batchSize(records, pos);
    const oversized = oversizedBatch(size, maxBatchBytes);
    if (oversized) return oversized;
    const attributes = records.readInt16BE(pos + 21);
    if ((attributes & Attr.CodecMask) > MAX_CODEC) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `unknown compression codec ${attributes & Attr.CodecMask}` };
    }
    if (attributes & Attr.Control) {
      return { errorCode: ErrorCode.INVALID_RECORD, message: 'clients may not write control batches' };
    }
    const count = records.readInt32BE(pos + 57);
    if (count < 1 || records.readInt32BE(pos + 23) !== count - 1) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `record count ${count} does not match last offset delta` };
    }
    const counted = countedRecords(records, pos, rules);
    if (counted?.count !== count) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `batch header says ${count} records, its body holds ${counted?.count ?? 'unreadable'} records` };
    }
    if (counted.rejection) return counted.rejection;
    pos += size;
  }
  return null;
}
