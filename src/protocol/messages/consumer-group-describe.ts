// ConsumerGroupDescribe v0-1 (KIP-848), flexible in every version. v1 adds
// each member's type (KIP-1099: 0 classic, 1 consumer).

import { a, f, message, s } from '../schema.js';

const assignment = (name: string) =>
  s(name, '0+', [
    a('topicPartitions', '0+', [
      f('topicId', 'uuid'),
      f('topicName', 'string'),
      f('partitions', '[]int32'),
    ]),
  ]);

export const ConsumerGroupDescribeRequest = message(69, 'ConsumerGroupDescribeRequest', '0-1', '0+', [
  f('groupIds', '[]string'),
  f('includeAuthorizedOperations', 'bool'),
]);

export const ConsumerGroupDescribeResponse = message(69, 'ConsumerGroupDescribeResponse', '0-1', '0+', [
  f('throttleTimeMs', 'int32'),
  a('groups', '0+', [
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
    f('groupId', 'string'),
    f('groupState', 'string'),
    f('groupEpoch', 'int32'),
    f('assignmentEpoch', 'int32'),
    f('assignorName', 'string'),
    a('members', '0+', [
      f('memberId', 'string'),
      f('instanceId', 'string', '0+', { nullable: '0+' }),
      f('rackId', 'string', '0+', { nullable: '0+' }),
      f('memberEpoch', 'int32'),
      f('clientId', 'string'),
      f('clientHost', 'string'),
      f('subscribedTopicNames', '[]string'),
      f('subscribedTopicRegex', 'string', '0+', { nullable: '0+' }),
      assignment('assignment'),
      assignment('targetAssignment'),
      f('memberType', 'int8', '1+', { default: -1 }),
    ]),
    f('authorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ]),
]);
