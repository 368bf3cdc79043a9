// ListOffsets: earliest (-2), latest (-1), max timestamp (-3, KIP-734),
// earliest local (-4, KIP-405), latest tiered (-5, KIP-1005) and "first
// record at or after time T". By-time and max timestamp look inside the one
// batch the time index points at, so the answer is the exact record, as in
// Kafka. Without tiered storage the local log is the whole log: -4 answers
// the log start offset and -5 "nothing tiered" (-1), as Kafka does then.
// Answers from record timestamps only name records a consumer may read:
// below the high watermark (the last stable offset for read_committed).
//
// Read-your-writes: acks=1 is answered before the fsync that lets the high
// watermark pass the record, so every answer that depends on the high
// watermark first waits for the partition's current log end to be committed
// (Partition.awaitLogEnd: the fsync covering it); a client that produced and then
// asks for the end offset sees its record.
//
// v0 (max_num_offsets, an array of offsets "before" a time) is answered with
// at most one offset, at record level rather than from segment file times as
// Kafka did: latest and earliest as above, time T the first record at or after
// T or the high watermark when every record is older; other negative times
// get no offset, as in Kafka.

import { ErrorCode } from '../protocol/error-codes.js';
import { decodeBatch } from '../protocol/records.js';
import type { Partition } from './partition.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

export interface OffsetAnswer {
  errorCode: number;
  offset: number;
  timestamp: number;
}

const NOT_FOUND: OffsetAnswer = { errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 };

/** `readCommitted` (isolation_level 1): answers stay below the last stable offset, as in Kafka. */
export async function listOffset(p: Partition, timestamp: number, readCommitted = false): Promise<OffsetAnswer> {
  if (timestamp !== EARLIEST_TIMESTAMP && timestamp !== EARLIEST_LOCAL_TIMESTAMP && timestamp !== LATEST_TIERED_TIMESTAMP) await p.awaitLogEnd();
  return answer(p, timestamp, readCommitted);
}

/** ListOffsets v0: at most `maxNumOffsets` (so zero or one) offsets; see the top of this file. */
export async function listOffsetsV0(p: Partition, timestamp: number, maxNumOffsets: number): Promise<{ errorCode: number; offsets: number[] }> {
  if (maxNumOffsets < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offsets: [] };
  if (maxNumOffsets === 0 || (timestamp < 0 && timestamp !== LATEST_TIMESTAMP && timestamp !== EARLIEST_TIMESTAMP)) return { errorCode: ErrorCode.NONE, offsets: [] };
  const found = await listOffset(p, timestamp);
  return { errorCode: ErrorCode.NONE, offsets: [found.offset === -1 ? p.highWatermark : found.offset] };
}

function answer(p: Partition, timestamp: number, readCommitted: boolean): OffsetAnswer {
  const readable = readCommitted ? p.lastStableOffset : p.highWatermark;
  switch (timestamp) {
    case LATEST_TIMESTAMP:
      return { errorCode: ErrorCode.NONE, offset: readable, timestamp: -1 };
    case EARLIEST_TIMESTAMP:
    case EARLIEST_LOCAL_TIMESTAMP:
      return { errorCode: ErrorCode.NONE, offset: p.logStartOffset, timestamp: -1 };
    case LATEST_TIERED_TIMESTAMP:
      return NOT_FOUND;
    case MAX_TIMESTAMP: {
      // The log knows the largest timestamp and its batch; the first record carrying it is the answer.
      const max = p.log.maxTimestamp();
      return max ? firstRecordAtOrAfter(p, max.timestamp, readable) : NOT_FOUND;
    }
  }
  if (timestamp < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offset: -1, timestamp: -1 };
  return firstRecordAtOrAfter(p, timestamp, readable);
}

/** The first record at or after the log start with a timestamp >= `timestamp`, if it lies below `readable`. */
export function firstRecordAtOrAfter(p: Partition, timestamp: number, readable: number): OffsetAnswer {
  const found = p.log.findByTimestamp(timestamp);
  if (!found || found.offset >= readable) return NOT_FOUND;
  try {
    for (const r of decodeBatch(found.batch).records) {
      if (r.timestamp >= timestamp && r.offset >= p.logStartOffset) {
        return r.offset < readable ? { errorCode: ErrorCode.NONE, offset: r.offset, timestamp: r.timestamp } : NOT_FOUND;
      }
    }
  } catch {
    // A batch we cannot decode (unknown codec state) still bounds the answer.
  }
  return { errorCode: ErrorCode.NONE, offset: found.offset, timestamp };
}
