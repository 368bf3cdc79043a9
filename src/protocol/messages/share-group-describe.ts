// ShareGroupDescribe v1 (KIP-932; v1 has the layout of 4.0's early-access v0). Flexible.

import { a, f, message, s } from '../schema.js';

export const ShareGroupDescribeRequest = message(77, 'ShareGroupDescribeRequest', '1', '0+', [
  f('groupIds', '[]string'),
  f('includeAuthorizedOperations', 'bool'),
]);

export const ShareGroupDescribeResponse = message(77, 'ShareGroupDescribeResponse', '1', '0+', [
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
      f('rackId', 'string', '0+', { nullable: '0+' }),
      f('memberEpoch', 'int32'),
      f('clientId', 'string'),
      f('clientHost', 'string'),
      f('subscribedTopicNames', '[]string'),
      s('assignment', '0+', [
        a('topicPartitions', '0+', [
          f('topicId', 'uuid'),
          f('topicName', 'string'),
          f('partitions', '[]int32'),
        ]),
      ]),
    ]),
    f('authorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ]),
]);
