// AlterPartitionReassignments v0 and ListPartitionReassignments v0 (KIP-455):
// the control plane starts or cancels each move; the controller completes it
// once the added replicas are in sync (cluster/reassignment.ts). A partition
// being moved lists its adding and removing replicas until then.

import type { ReassignmentResult } from '../../cluster/control-plane.js';
import { reassigning } from '../../cluster/reassignment.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../../protocol/messages/partition-reassignments.js';
import type { Message } from '../../protocol/codec.js';
import { ALTER, DESCRIBE, mayOnCluster } from './authorize.js';
import type { ApiHandler } from './handler.js';

const CODES: Record<ReassignmentResult['outcome'], number> = {
  started: ErrorCode.NONE,
  cancelled: ErrorCode.NONE,
  'unknown-partition': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  'no-reassignment': ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
  'invalid-assignment': ErrorCode.INVALID_REPLICA_ASSIGNMENT,
};

export const alterPartitionReassignments: ApiHandler = {
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed to reassign partitions', responses: [] };
    const asked = req.topics.flatMap((t: Message) => t.partitions.map((p: Message) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
    const results = await ctx.broker.cluster.reassignPartitions(asked);
    const byTopic = new Map<string, Message[]>();
    for (const r of results) {
      byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionIndex: r.partition, errorCode: CODES[r.outcome], errorMessage: r.message }]);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  },
};

export const listPartitionReassignments: ApiHandler = {
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  handle(req, ctx) {
    if (!mayOnCluster(ctx, DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed to list reassignments', topics: [] };
    const { cluster } = ctx.broker;
    const wanted: Map<string, number[] | null> =
      req.topics === null ? new Map(cluster.topics().map((t) => [t.name, null])) : new Map(req.topics.map((t: Message) => [t.name, t.partitionIndexes]));
    const topics: Message[] = [];
    for (const [name, indexes] of wanted) {
      const partitions = (cluster.topic(name)?.partitions ?? [])
        .filter((p) => reassigning(p) && (indexes === null || indexes.includes(p.partition)))
        .map((p) => ({ partitionIndex: p.partition, replicas: p.replicas, addingReplicas: p.addingReplicas ?? [], removingReplicas: p.removingReplicas ?? [] }));
      if (partitions.length > 0) topics.push({ name, partitions });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
  },
};
