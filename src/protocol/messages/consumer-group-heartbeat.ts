// ConsumerGroupHeartbeat v0-1 (KIP-848), flexible in every version. v1 adds
// the subscribed topic regex and has the consumer generate its member id (KIP-1082).

import { a, f, message, s } from '../schema.js';

export const ConsumerGroupHeartbeatRequest = message(68, 'ConsumerGroupHeartbeatRequest', '0-1', '0+', [
  f('groupId', 'string'),
  f('memberId', 'string'),
  f('memberEpoch', 'int32'),
  f('instanceId', 'string', '0+', { nullable: '0+' }),
  f('rackId', 'string', '0+', { nullable: '0+' }),
  f('rebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
  f('subscribedTopicNames', '[]string', '0+', { nullable: '0+' }),
  f('subscribedTopicRegex', 'string', '1+', { nullable: '1+' }),
  f('serverAssignor', 'string', '0+', { nullable: '0+' }),
  a('topicPartitions', '0+', [
    f('topicId', 'uuid'),
    f('partitions', '[]int32'),
  ], { nullable: '0+' }),
]);

export const ConsumerGroupHeartbeatResponse = message(68, 'ConsumerGroupHeartbeatResponse', '0-1', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('memberId', 'string', '0+', { nullable: '0+' }),
  f('memberEpoch', 'int32'),
  f('heartbeatIntervalMs', 'int32'),
  s('assignment', '0+', [
    a('topicPartitions', '0+', [
      f('topicId', 'uuid'),
      f('partitions', '[]int32'),
    ]),
  ], { nullable: '0+' }),
]);
