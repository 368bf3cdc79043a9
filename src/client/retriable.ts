// Which Kafka errors a client may retry, and which of those mean its metadata
// is stale. The retriable flag of each code lives in the one error table
// (`protocol/error-codes.ts`, as Kafka's RetriableException subclasses).

import { ErrorCode } from '../protocol/error-codes.js';

export { isRetriable } from '../protocol/error-codes.js';

/** Errors that say the leaders or the partitions of a topic are not what the client thinks. */
const STALE_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.LEADER_NOT_AVAILABLE,
  // Requests that name topics by id (Fetch v13+, KIP-516): the topic was deleted or re-created.
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
]);

/** True when `errorCode` means the topic's metadata must be asked for again before a retry. */
export function refreshesMetadata(errorCode: number): boolean {
  return STALE_METADATA.has(errorCode);
}
