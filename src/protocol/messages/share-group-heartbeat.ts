// ShareGroupHeartbeat v1 (KIP-932: v0 was Kafka 4.0's early access, removed in
// 4.1; v1 has v0's layout). Flexible. Members of a share group heartbeat here
// and get the partitions they may fetch from; several members may share one.

import { a, f, message, s } from '../schema.js';

export const ShareGroupHeartbeatRequest = message(76, 'ShareGroupHeartbeatRequest', '1', '0+', [
  f('groupId', 'string'),
  f('memberId', 'string'),
  f('memberEpoch', 'int32'),
  f('rackId', 'string', '0+', { nullable: '0+' }),
  f('subscribedTopicNames', '[]string', '0+', { nullable: '0+' }),
]);

export const ShareGroupHeartbeatResponse = message(76, 'ShareGroupHeartbeatResponse', '1', '0+', [
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
