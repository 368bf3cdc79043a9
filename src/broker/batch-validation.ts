// Checks the batches of one partition in a produce request before anything is
// appended: all or nothing, as Kafka does. Batches are stored as sent; besides
// the header and CRC32C, validation walks the records' length prefixes to check
// the count (decompressing compressed batches, capped), as Kafka does.

import { ErrorCode } from '../protocol/error-codes.js';
import { Attr, LOG_OVERHEAD, batchSize, checkBatch } from '../protocol/record-batch.js';
import { batchRecordBytes, countRecords } from '../protocol/records.js';

export interface BatchRejection {
  errorCode: number;
  message: string;
}

const MAX_CODEC = 4;

/**
 * Counts the records actually in the batch (decompressing with a size cap),
 * as Kafka does, so a header cannot claim offsets the batch does not fill.
 * Null when the body cannot be read.
 */
function countedRecords(records: Buffer, pos: number): number | null {
  try {
    return countRecords(batchRecordBytes(records, pos));
  } catch {
    return null;
  }
}

/** Returns why the batches in `records` cannot be appended, or null if they all can. */
export function validateProducedBatches(records: Buffer, maxBatchBytes: number): BatchRejection | null {
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
    if (size > maxBatchBytes) {
      return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `batch of ${size} bytes exceeds max.message.bytes ${maxBatchBytes}` };
    }
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
    const counted = countedRecords(records, pos);
    if (counted !== count) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `batch header says ${count} records, its body holds ${counted ?? 'unreadable'} records` };
    }
    pos += size;
  }
  return null;
}
