// ShareFetch v1-2 (KIP-932; flexible). The share session, acknowledgements
// piggybacked on the fetch, and the records acquired for the member with their
// AcquiredRecords ranges; the coordinator decides (coordinator/share). Topics
// by id. v2's ShareAcquireMode (KIP-1206) needs nothing of its own: Sluice
// acquires at most MaxRecords records in every mode, cutting producer batches
// where the limit falls, which is record_limit's promise; under batch_optimized
// Kafka may finish a batch past the limit, Sluice does not. Needs READ on the
// group, and on each topic: a refused topic's partitions answer
// TOPIC_AUTHORIZATION_FAILED and are neither fetched nor acknowledged. A
// partition this broker does not lead answers NOT_LEADER_OR_FOLLOWER with the
// leader's hint (share-leader-hints.ts).

import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ShareFetchRequest, ShareFetchResponse } from '../../protocol/messages/share-fetch.js';
import type { SharePartitionRequest } from '../../coordinator/share/share-requests.js';
import { sessionPartitionKey } from '../../coordinator/share/share-sessions.js';
import { READ, mayOnGroup, mayOnTopic } from './authorize.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { ShareLeaderHints } from './share-leader-hints.js';

const NO_RECORDS = Buffer.alloc(0);

/**
 * The request's partitions of topics the principal may READ, and those of the
 * others (Kafka's check). An unknown topic id is left to the coordinator (UNKNOWN_TOPIC_ID).
 */
export function readablePartitions(ctx: RequestContext, topics: Message[]): { allowed: SharePartitionRequest[]; refused: SharePartitionRequest[] } {
  const [readable, refused]: [Message[], Message[]] = [[], []];
  for (const t of topics) {
    const name = ctx.broker.cluster.topicById(t.topicId as Buffer)?.name;
    (name === undefined || mayOnTopic(ctx, READ, name) ? readable : refused).push(t);
  }
  return { allowed: requestedPartitions(readable), refused: requestedPartitions(refused) };
}

/** The (topic, partition, acknowledgements) entries of a ShareFetch or ShareAcknowledge request. */
export function requestedPartitions(topics: Message[]): SharePartitionRequest[] {
  return topics.flatMap((t) =>
    (t.partitions as Message[]).map((p) => ({
      topicId: (t.topicId as Buffer).toString('hex'),
      partition: p.partitionIndex,
      acknowledgements: (p.acknowledgementBatches as Message[]).map((b) => ({ firstOffset: b.firstOffset, lastOffset: b.lastOffset, acknowledgeTypes: b.acknowledgeTypes, releaseDelayMs: b.releaseDelayMs })),
    })),
  );
}

/** Groups per-partition results by topic id, in first-seen order, as the responses list them. */
export function byTopic<T extends { topicId: string }>(partitions: T[], shape: (p: T) => Message): Message[] {
  const topics = new Map<string, Message[]>();
  for (const p of partitions) {
    let list = topics.get(p.topicId);
    if (!list) topics.set(p.topicId, (list = []));
    list.push(shape(p));
  }
  return [...topics].map(([topicId, list]) => ({ topicId: Buffer.from(topicId, 'hex'), partitions: list }));
}

export const shareFetch: ApiHandler = {
  apiKey: 78,
  minVersion: 1,
  maxVersion: 2,
  request: ShareFetchRequest,
  response: ShareFetchResponse,
  responseBytesBound: (req, config) => Math.min(req.maxBytes, config.fetchMaxBytes),
  async handle(req, ctx) {
    if (req.groupId === null || req.memberId === null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'ShareFetch needs a group id and a member id', acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
    }
    if (!mayOnGroup(ctx, READ, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'not allowed to read as this share group', acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
    }
    const { allowed, refused } = readablePartitions(ctx, req.topics);
    const out = await ctx.shares.fetch({
      groupId: req.groupId,
      memberId: req.memberId,
      sessionEpoch: req.shareSessionEpoch,
      // Nothing it may read: the refusals are answered at once.
      maxWaitMs: allowed.length === 0 && refused.length > 0 ? 0 : req.maxWaitMs,
      maxBytes: Math.min(req.maxBytes, ctx.config.fetchMaxBytes),
      maxRecords: req.maxRecords,
      partitions: allowed,
      connection: ctx.connectionClosed,
      forgotten: (req.forgottenTopicsData as Message[]).flatMap((t) => (t.partitions as number[]).map((partition) => ({ topicId: (t.topicId as Buffer).toString('hex'), partition }))),
      mayRead: (topicId) => {
        const name = ctx.broker.cluster.topicById(Buffer.from(topicId, 'hex'))?.name;
        return name === undefined || mayOnTopic(ctx, READ, name);
      },
    });
    // A refused partition already in the session is answered by the coordinator.
    const answered = new Set(out.partitions.map(sessionPartitionKey));
    const hints = new ShareLeaderHints(ctx);
    const responses = byTopic([...out.partitions, ...refused.filter((p) => !answered.has(sessionPartitionKey(p))).map((p) => ({ ...p, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, acknowledgeErrorCode: ErrorCode.NONE, leaderEpoch: -1, records: NO_RECORDS, acquired: [] }))], (p) => ({
      partitionIndex: p.partition,
      errorCode: p.errorCode,
      errorMessage: null,
      acknowledgeErrorCode: p.acknowledgeErrorCode,
      acknowledgeErrorMessage: null,
      currentLeader: hints.currentLeader(p, p.leaderEpoch),
      records: p.records,
      acquiredRecords: p.acquired,
    }));
    return {
      throttleTimeMs: 0,
      errorCode: out.errorCode,
      errorMessage: out.errorMessage,
      acquisitionLockTimeoutMs: out.lockDurationMs,
      responses,
      nodeEndpoints: hints.nodeEndpoints(),
    };
  },
};
