// Metadata v0-12, flexible from v9.

import { a, f, message } from '../schema.js';

export const MetadataRequest = message(3, 'MetadataRequest', '0-12', '9+', [
  a('topics', '0+', [
    f('topicId', 'uuid', '10+'),
    f('name', 'string', '0+', { nullable: '10+' }),
  ], { nullable: '1+' }),
  f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
  f('includeClusterAuthorizedOperations', 'bool', '8-10'),
  f('includeTopicAuthorizedOperations', 'bool', '8+'),
]);

export const MetadataResponse = message(3, 'MetadataResponse', '0-12', '9+', [
  f('throttleTimeMs', 'int32', '3+'),
  a('brokers', '0+', [
    f('nodeId', 'int32'),
    f('host', 'string'),
    f('port', 'int32'),
    f('rack', 'string', '1+', { nullable: '1+' }),
  ]),
  f('clusterId', 'string', '2+', { nullable: '2+' }),
  f('controllerId', 'int32', '1+', { default: -1 }),
  a('topics', '0+', [
    f('errorCode', 'int16'),
    f('name', 'string', '0+', { nullable: '12+' }),
    f('topicId', 'uuid', '10+'),
    f('isInternal', 'bool', '1+'),
    a('partitions', '0+', [
      f('errorCode', 'int16'),
      f('partitionIndex', 'int32'),
      f('leaderId', 'int32'),
      f('leaderEpoch', 'int32', '7+', { default: -1 }),
      f('replicaNodes', '[]int32'),
      f('isrNodes', '[]int32'),
      f('offlineReplicas', '[]int32', '5+'),
    ]),
    f('topicAuthorizedOperations', 'int32', '8+', { default: -2147483648 }),
  ]),
  f('clusterAuthorizedOperations', 'int32', '8-10', { default: -2147483648 }),
]);
