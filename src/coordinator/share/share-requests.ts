// What ShareFetch, ShareAcknowledge and the broker's own members ask of the
// ShareCoordinator and what it answers, per partition, and the helpers that
// gather a request's partitions and an answer's results.

import { ErrorCode } from '../../protocol/error-codes.js';
import type { AcknowledgementBatch, AcquiredRecords } from './share-partition.js';
import { type SessionPartition, sessionPartitionKey } from './share-sessions.js';

const NO_RECORDS = Buffer.alloc(0);

export interface SharePartitionRequest extends SessionPartition {
  acknowledgements: AcknowledgementBatch[];
}

export interface ShareFetchInput {
  groupId: string;
  memberId: string;
  sessionEpoch: number;
  maxWaitMs: number;
  maxBytes: number;
  maxRecords: number;
  partitions: SharePartitionRequest[];
  forgotten: SessionPartition[];
  /** The requesting connection, aborted when it closes: a session it opens ends then. */
  connection: AbortSignal;
  /** Whether the principal may read a topic (by id) now: the session's partitions of the others answer TOPIC_AUTHORIZATION_FAILED and are not read. */
  mayRead: (topicId: string) => boolean;
}

/** What one acquisition asks for: a ShareFetch's limits, or an in-process member's, which may stop waiting early. */
export type AcquireRequest = Pick<ShareFetchInput, 'groupId' | 'memberId' | 'maxRecords' | 'maxBytes' | 'maxWaitMs'> & { stop?: AbortSignal };

/** A record a member holds, named with the delivery (count) it was given in. */
export interface HeldRecord extends SessionPartition {
  offset: number;
  deliveryCount: number;
}

export interface SharePartitionResult extends SessionPartition {
  errorCode: number;
  acknowledgeErrorCode: number;
  leaderEpoch: number;
  records: Buffer;
  acquired: AcquiredRecords[];
}

export interface ShareFetchOutput {
  errorCode: number;
  errorMessage: string | null;
  lockDurationMs: number;
  partitions: SharePartitionResult[];
}

/** One result per partition of an answer, made when a partition first has something to say. */
export function partitionResults(): { results: Map<string, SharePartitionResult>; resultFor(p: SessionPartition): SharePartitionResult } {
  const results = new Map<string, SharePartitionResult>();
  const resultFor = (p: SessionPartition): SharePartitionResult => {
    const key = sessionPartitionKey(p);
    let r = results.get(key);
    if (!r) results.set(key, (r = { ...p, errorCode: ErrorCode.NONE, acknowledgeErrorCode: ErrorCode.NONE, leaderEpoch: -1, records: NO_RECORDS, acquired: [] }));
    return r;
  };
  return { results, resultFor };
}

/** One entry per partition: a request may name a topic, or a partition, more than once (librdkafka 2.15 does). */
export function mergeRequested(partitions: SharePartitionRequest[]): SharePartitionRequest[] {
  const merged = new Map<string, SharePartitionRequest>();
  for (const p of partitions) {
    const key = sessionPartitionKey(p);
    const seen = merged.get(key);
    if (seen) seen.acknowledgements = [...seen.acknowledgements, ...p.acknowledgements];
    else merged.set(key, { ...p, acknowledgements: [...p.acknowledgements] });
  }
  return [...merged.values()];
}
