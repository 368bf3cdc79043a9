// How the replicas of new partitions are asked for, checked as Kafka's
// controller checks them (ReplicationControlManager): a replication factor, or
// a manual assignment of broker ids per partition (CreateTopics' assignments,
// CreatePartitions' assignments). Each function returns the first problem in
// Kafka's order, with Kafka's error code, or null when the request may go on.
// Every broker here is live and unfenced, so an assignment naming only
// registered brokers always has an in-sync replica.

import type { ReplicaRequest } from '../cluster/control-plane.js';
import { ErrorCode } from '../protocol/error-codes.js';

export interface PlacementProblem {
  errorCode: number;
  message: string;
}

/** CreateTopics' replication: a factor (-1: the default), or assignments with factor -1 and partition count -1. */
export interface NewTopicReplication {
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
}

/** A topic created without replication settings: the default factor, placed by the control plane. */
export const DEFAULT_REPLICATION: NewTopicReplication = { replicationFactor: -1, assignments: [] };

/** Sluice's default.replication.factor: one copy, as Kafka's default. */
const DEFAULT_REPLICATION_FACTOR = 1;

const invalidAssignment = (message: string): PlacementProblem => ({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message });

/**
 * One partition's manual assignment: not empty, only registered brokers, each
 * once, and as many replicas as `replicationFactor` when that is known.
 */
function assignmentProblem(brokerIds: number[], registered: Set<number>, replicationFactor: number | null): PlacementProblem | null {
  if (brokerIds.length === 0) return invalidAssignment('the manual partition assignment includes an empty replica list');
  const seen = new Set<number>();
  for (const id of [...brokerIds].sort((a, b) => a - b)) {
    if (!registered.has(id)) return invalidAssignment(`the manual partition assignment includes broker ${id}, but no such broker is registered`);
    if (seen.has(id)) return invalidAssignment(`the manual partition assignment includes the broker ${id} more than once`);
    seen.add(id);
  }
  if (replicationFactor !== null && brokerIds.length !== replicationFactor) {
    return invalidAssignment(
      `the manual partition assignment includes a partition with ${brokerIds.length} replica(s), but the other partitions have ${replicationFactor} replica(s)`,
    );
  }
  return null;
}

/**
 * CreateTopics: the replication asked for a new topic of `numPartitions`
 * partitions (-1: the default), on a cluster of `brokerIds`. With manual
 * assignments the partition count is the number of assignments.
 */
export function newTopicProblem(numPartitions: number, replication: NewTopicReplication, brokerIds: number[]): PlacementProblem | null {
  const { replicationFactor, assignments } = replication;
  const registered = new Set(brokerIds);
  if (assignments.length > 0) {
    if (replicationFactor !== -1) {
      return { errorCode: ErrorCode.INVALID_REQUEST, message: 'a manual partition assignment was given, but the replication factor was not -1' };
    }
    if (numPartitions !== -1) {
      return { errorCode: ErrorCode.INVALID_REQUEST, message: 'a manual partition assignment was given, but the number of partitions was not -1' };
    }
    const indexes = new Set<number>();
    let factor: number | null = null;
    for (const a of assignments) {
      if (indexes.has(a.partitionIndex)) return invalidAssignment(`found more than one manual assignment for partition ${a.partitionIndex}`);
      indexes.add(a.partitionIndex);
      const problem = assignmentProblem(a.brokerIds, registered, factor);
      if (problem) return problem;
      factor = a.brokerIds.length;
    }
    for (let i = 0; i < assignments.length; i++) {
      if (!indexes.has(i)) return invalidAssignment('the manually assigned partitions must be numbered 0, 1, 2, ... without gaps');
    }
    return null;
  }
  if (replicationFactor < -1 || replicationFactor === 0) {
    return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, message: 'the replication factor must be larger than 0, or -1 for the default' };
  }
  if (numPartitions < -1 || numPartitions === 0) {
    return { errorCode: ErrorCode.INVALID_PARTITIONS, message: 'the number of partitions must be larger than 0, or -1 for the default' };
  }
  const factor = replicationFactor === -1 ? DEFAULT_REPLICATION_FACTOR : replicationFactor;
  if (factor > brokerIds.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: `unable to replicate the partition ${factor} time(s): the target replication factor of ${factor} cannot be reached because only ${brokerIds.length} broker(s) are registered`,
    };
  }
  return null;
}

/**
 * CreatePartitions: `assignments` (null: placed by the control plane) for the
 * `additional` partitions of a topic whose partitions have `replicationFactor`
 * replicas, on a cluster of `brokerIds`.
 */
export function newPartitionsProblem(assignments: number[][] | null, additional: number, replicationFactor: number, brokerIds: number[]): PlacementProblem | null {
  if (assignments === null) return null;
  if (assignments.length !== additional) {
    return invalidAssignment(`attempted to add ${additional} partition(s), but ${assignments.length} assignment(s) were given`);
  }
  const registered = new Set(brokerIds);
  for (const brokers of assignments) {
    const problem = assignmentProblem(brokers, registered, replicationFactor);
    if (problem) return problem;
  }
  return null;
}

/** A checked CreateTopics replication as the control plane takes it: the factor, or the assignments in partition order. */
export function replicaRequest(replication: NewTopicReplication): ReplicaRequest {
  if (replication.assignments.length === 0) return { replicationFactor: replication.replicationFactor, assignments: null };
  const ordered = [...replication.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  return { replicationFactor: -1, assignments: ordered.map((a) => a.brokerIds) };
}
