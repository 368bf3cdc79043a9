// ListOffsets: earliest (-2), latest (-1), max timestamp (-3, KIP-734) and
// "first record at or after time T". By-time looks inside the one batch the
// time index points at, so the answer is the exact record, as in Kafka.

import { ErrorCode } from '../protocol/error-codes.js';
import { decodeBatch } from '../protocol/records.js';
import type { Partition } from './partition.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface OffsetAnswer {
  errorCode: number;
  offset: number;
  timestamp: number;
}

/** `readCommitted` (isolation_level 1): "latest" is the last stable offset, as in Kafka. */
export function listOffset(p: Partition, timestamp: number, readCommitted = false): OffsetAnswer {
  if (timestamp === LATEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, offset: readCommitted ? p.lastStableOffset : p.highWatermark, timestamp: -1 };
  if (timestamp === EARLIEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, offset: p.logStartOffset, timestamp: -1 };
  if (timestamp === MAX_TIMESTAMP) {
    const max = p.log.maxTimestamp();
    return max ? { errorCode: ErrorCode.NONE, offset: max.offset, timestamp: max.timestamp } : { errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 };
  }
  if (timestamp < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offset: -1, timestamp: -1 };
  const found = p.log.findByTimestamp(timestamp);
  if (!found || found.offset >= p.highWatermark) return { errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 };
  try {
    for (const r of decodeBatch(found.batch).records) {
      if (r.timestamp >= timestamp && r.offset >= p.logStartOffset) return { errorCode: ErrorCode.NONE, offset: r.offset, timestamp: r.timestamp };
    }
  } catch {
    // A batch we cannot decode (unknown codec state) still bounds the answer.
    return { errorCode: ErrorCode.NONE, offset: found.offset, timestamp };
  }
  return { errorCode: ErrorCode.NONE, offset: found.offset, timestamp };
}
