// Metadata v0-12. v0 asks for all topics with an empty list; v1+ with null.
// v4+ carries allow_auto_topic_creation (always on before v4). v10+ gives topic
// ids (KIP-516) and may ask by id alone. v8+ carries authorized operations
// when asked (KIP-430): per topic, and for the cluster in v8-10 only.
// Brokers are given at their endpoints of the listener the request came in on.
// Only topics the principal may DESCRIBE are listed; one asked by name that it
// may not is TOPIC_AUTHORIZATION_FAILED, and so is one it may not create when
// asked to create it (CREATE on the cluster or the topic), as Kafka answers.

import { AclResourceType, CLUSTER_RESOURCE } from '../../broker/acl/acl-binding.js';
import { isInternalTopic, topicNameProblem } from '../../broker/topic-name.js';
import { brokersOn } from '../../cluster/broker-endpoints.js';
import type { TopicMetadata } from '../../cluster/control-plane.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { MetadataRequest, MetadataResponse } from '../../protocol/messages/metadata.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { DESCRIBE, mayCreateTopic, mayOnTopic, operationsField, sees } from './authorize.js';

/** Each partition's leader, replicas and ISR as the control plane decided them; one without a leader (-1) is LEADER_NOT_AVAILABLE, and replicas on brokers not live are listed offline. */
function describeTopic(t: TopicMetadata, live: Set<number>): Message {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternalTopic(t.name),
    partitions: t.partitions.map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((id) => !live.has(id)),
    })),
  };
}

function missing(name: string | null, errorCode: number): Message {
  return { errorCode, name, topicId: undefined, isInternal: false, partitions: [] };
}

async function lookup(req: Message, topic: Message, ctx: RequestContext, live: Set<number>): Promise<Message> {
  const { broker } = ctx;
  if (topic.name === null) {
    const byId = broker.cluster.topicById(topic.topicId);
    if (byId && !mayOnTopic(ctx, DESCRIBE, byId.name)) return { ...missing(null, ErrorCode.TOPIC_AUTHORIZATION_FAILED), topicId: topic.topicId };
    return byId ? describeTopic(byId, live) : { ...missing(null, ErrorCode.UNKNOWN_TOPIC_ID), topicId: topic.topicId };
  }
  if (!mayOnTopic(ctx, DESCRIBE, topic.name)) return missing(topic.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (topicNameProblem(topic.name)) return missing(topic.name, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const allowAutoCreate = (ctx.apiVersion < 4 || req.allowAutoTopicCreation) && ctx.config.autoCreateTopicsEnable;
  if (allowAutoCreate && !broker.cluster.topic(topic.name) && !mayCreateTopic(ctx, topic.name)) return missing(topic.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const found = await broker.topicOrAutoCreate(topic.name, allowAutoCreate);
  return found ? describeTopic(found, live) : missing(topic.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

export const metadata: ApiHandler = {
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  request: MetadataRequest,
  response: MetadataResponse,
  async handle(req, ctx) {
    const { broker } = ctx;
    const all = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0);
    const brokers = broker.cluster.brokers();
    const live = new Set(brokers.map((b) => b.nodeId));
    const found = all
      ? broker.cluster.topics().filter((t) => sees(ctx, DESCRIBE, AclResourceType.TOPIC, t.name)).map((t) => describeTopic(t, live)) : await Promise.all(req.topics.map((t: Message) => lookup(req, t, ctx, live)));
    // Kafka fills them in for every named topic, found or not; an unknown topic id has no name to authorize.
    const topics = found.map((t) => (t.name === null ? t : { ...t, topicAuthorizedOperations: operationsField(ctx, req.includeTopicAuthorizedOperations, AclResourceType.TOPIC, t.name) }));
    return {
      throttleTimeMs: 0,
      brokers: brokersOn(brokers, ctx.listener),
      clusterId: broker.cluster.clusterId,
      controllerId: broker.cluster.controllerId,
      topics,
      clusterAuthorizedOperations: operationsField(ctx, req.includeClusterAuthorizedOperations, AclResourceType.CLUSTER, CLUSTER_RESOURCE),
    };
  },
};
