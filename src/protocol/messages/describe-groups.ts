// DescribeGroups v0-5, flexible from v5.

import { a, f, message } from '../schema.js';

export const DescribeGroupsRequest = message(15, 'DescribeGroupsRequest', '0-5', '5+', [
  f('groups', '[]string'),
  f('includeAuthorizedOperations', 'bool', '3+'),
]);

export const DescribeGroupsResponse = message(15, 'DescribeGroupsResponse', '0-5', '5+', [
  f('throttleTimeMs', 'int32', '1+'),
  a('groups', '0+', [
    f('errorCode', 'int16'),
    f('groupId', 'string'),
    f('groupState', 'string'),
    f('protocolType', 'string'),
    f('protocolData', 'string'),
    a('members', '0+', [
      f('memberId', 'string'),
      f('groupInstanceId', 'string', '4+', { nullable: '4+' }),
      f('clientId', 'string'),
      f('clientHost', 'string'),
      f('memberMetadata', 'bytes'),
      f('memberAssignment', 'bytes'),
    ]),
    f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
  ]),
]);
