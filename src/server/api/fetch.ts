// Fetch v4-13 (v12+ flexible, v13 names topics by id). replica_id >= 0 is a
// follower of this broker's partitions (broker/fetch.ts). Sessionless: every
// request is a full fetch and the answer carries session id 0 (KIP-227 lets a
// broker decline sessions). Records go out as the log's bytes. isolation_level
// 1 (read_committed) reads below the last stable offset and gets the aborted
// transactions in the returned range (KIP-98). A client's answer counts its
// bytes against its consumer_byte_rate; past it the answer goes out empty with
// the throttle time (KIP-219, as Kafka's), the bytes read given back and not
// counted, and max_bytes is capped to what the quota allows in one window span.
// A consumer needs READ on each topic, a follower CLUSTER_ACTION on the cluster;
// a refused topic's partitions are not read and answer TOPIC_AUTHORIZATION_FAILED.

import { type FetchPartitionRequest, fetchPartitions } from '../../broker/fetch.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';
import { principalName } from '../principal.js';
import { CLUSTER_ACTION, READ, mayOnCluster, mayOnTopic } from './authorize.js';

const READ_COMMITTED = 1;

export const fetch: ApiHandler = {
  apiKey: 1,
  minVersion: 4,
  maxVersion: 13,
  request: FetchRequest,
  response: FetchResponse,
  responseBytesBound: (req, config) => Math.min(req.maxBytes, config.fetchMaxBytes),
  async handle(req, ctx) {
    const byId = ctx.apiVersion >= 13;
    const wanted: FetchPartitionRequest[] = [];
    // Topics answered with an error without being read (an unknown name reads as no partition).
    const refused = new Map<Message, number>();
    const replicaMay = req.replicaId < 0 || mayOnCluster(ctx, CLUSTER_ACTION);
    for (const topic of req.topics) {
      let name: string | undefined = byId ? ctx.broker.cluster.topicById(topic.topicId)?.name : topic.topic;
      if (name === undefined) refused.set(topic, ErrorCode.UNKNOWN_TOPIC_ID);
      else if (req.replicaId < 0 ? !mayOnTopic(ctx, READ, name) : !replicaMay) refused.set(topic, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      if (refused.has(topic)) name = undefined;
      for (const p of topic.partitions) {
        wanted.push({ topic: name ?? '', partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch });
      }
    }
    // Followers replicate: no client quota applies to them.
    const user = principalName(ctx.principal);
    const clientId = ctx.clientId ?? '';
    const quotaBytes = req.replicaId >= 0 ? Number.POSITIVE_INFINITY : Math.floor(ctx.quotas.maxValueInWindow('fetch', user, clientId));
    const results = await fetchPartitions(ctx.broker, wanted, {
      maxWaitMs: Math.min(req.maxWaitMs, ctx.config.fetchMaxWaitMs),
      minBytes: req.minBytes,
      // The broker's cap over the client's (Kafka's fetch.max.bytes).
      maxBytes: Math.min(req.maxBytes, ctx.config.fetchMaxBytes, quotaBytes),
      readCommitted: req.isolationLevel === READ_COMMITTED,
      replicaId: req.replicaId,
      buffers: ctx.buffers,
    });
    if (req.replicaId < 0) {
      const bytes = results.reduce((sum, r) => sum + r.records.length, 0);
      const throttleTimeMs = ctx.quotas.record('fetch', user, clientId, bytes);
      if (throttleTimeMs > 0) {
        ctx.quotas.unrecord('fetch', user, clientId, bytes);
        for (const r of results) ctx.buffers.give(r.records);
        return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] };
      }
    }
    let i = 0;
    const errors: { topic: string; partition: number; errorCode: number }[] = [];
    const responses = req.topics.map((topic: Message) => ({
      topic: topic.topic,
      topicId: topic.topicId,
      partitions: topic.partitions.map((p: Message) => {
        const r = results[i++];
        const errorCode = refused.get(topic) ?? r.errorCode;
        // Kafka prints topic ids as base64url; an unknown id has no name to show.
        if (errorCode !== ErrorCode.NONE) errors.push({ topic: wanted[i - 1].topic || topic.topic || (topic.topicId as Buffer).toString('base64url'), partition: p.partition, errorCode });
        return { partitionIndex: p.partition, ...r, errorCode, preferredReadReplica: -1 };
      }),
    }));
    // Debug only: a client that refetches in a loop after an error must not flood the log.
    if (errors.length > 0) ctx.log.debug({ clientId: ctx.clientId, errors }, 'fetch answered partition errors');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
  },
};
