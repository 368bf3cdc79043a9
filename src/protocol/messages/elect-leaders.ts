// ElectLeaders v0-2, flexible from v2 (v1 added the election type, KIP-460).

import { a, f, message } from '../schema.js';

export const ElectLeadersRequest = message(43, 'ElectLeadersRequest', '0-2', '2+', [
  f('electionType', 'int8', '1+'),
  a('topicPartitions', '0+', [f('topic', 'string'), f('partitions', '[]int32')], { nullable: '0+' }),
  f('timeoutMs', 'int32'),
]);

export const ElectLeadersResponse = message(43, 'ElectLeadersResponse', '0-2', '2+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16', '1+'),
  a('replicaElectionResults', '0+', [
    f('topic', 'string'),
    a('partitionResult', '0+', [f('partitionId', 'int32'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
  ]),
]);
