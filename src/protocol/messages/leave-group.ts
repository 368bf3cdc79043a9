// LeaveGroup v0-4, flexible from v4.

import { a, f, message } from '../schema.js';

export const LeaveGroupRequest = message(13, 'LeaveGroupRequest', '0-4', '4+', [
  f('groupId', 'string'),
  f('memberId', 'string', '0-2'),
  a('members', '3+', [
    f('memberId', 'string', '3+'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
  ]),
]);

export const LeaveGroupResponse = message(13, 'LeaveGroupResponse', '0-4', '4+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16'),
  a('members', '3+', [
    f('memberId', 'string', '3+'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
    f('errorCode', 'int16', '3+'),
  ]),
]);
