// AlterPartitionReassignments v0 and ListPartitionReassignments v0 (KIP-455),
// both flexible.

import { a, f, message } from '../schema.js';

export const AlterPartitionReassignmentsRequest = message(45, 'AlterPartitionReassignmentsRequest', '0', '0+', [
  f('timeoutMs', 'int32'),
  a('topics', '0+', [
    f('name', 'string'),
    // Null cancels the partition's reassignment in progress.
    a('partitions', '0+', [f('partitionIndex', 'int32'), f('replicas', '[]int32', '0+', { nullable: '0+' })]),
  ]),
]);

export const AlterPartitionReassignmentsResponse = message(45, 'AlterPartitionReassignmentsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('responses', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
  ]),
]);

export const ListPartitionReassignmentsRequest = message(46, 'ListPartitionReassignmentsRequest', '0', '0+', [
  f('timeoutMs', 'int32'),
  a('topics', '0+', [f('name', 'string'), f('partitionIndexes', '[]int32')], { nullable: '0+' }),
]);

export const ListPartitionReassignmentsResponse = message(46, 'ListPartitionReassignmentsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [f('partitionIndex', 'int32'), f('replicas', '[]int32'), f('addingReplicas', '[]int32'), f('removingReplicas', '[]int32')]),
  ]),
]);
