// JoinGroup v0-7, flexible from v6.

import { a, f, message } from '../schema.js';

export const JoinGroupRequest = message(11, 'JoinGroupRequest', '0-7', '6+', [
  f('groupId', 'string'),
  f('sessionTimeoutMs', 'int32'),
  f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
  f('memberId', 'string'),
  f('groupInstanceId', 'string', '5+', { nullable: '5+' }),
  f('protocolType', 'string'),
  a('protocols', '0+', [
    f('name', 'string'),
    f('metadata', 'bytes'),
  ]),
]);

export const JoinGroupResponse = message(11, 'JoinGroupResponse', '0-7', '6+', [
  f('throttleTimeMs', 'int32', '2+'),
  f('errorCode', 'int16'),
  f('generationId', 'int32', '0+', { default: -1 }),
  f('protocolType', 'string', '7+', { nullable: '7+' }),
  f('protocolName', 'string', '0+', { nullable: '7+' }),
  f('leader', 'string'),
  f('memberId', 'string'),
  a('members', '0+', [
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '5+', { nullable: '5+' }),
    f('metadata', 'bytes'),
  ]),
]);
