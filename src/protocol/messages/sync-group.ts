// SyncGroup v0-4, flexible from v4.

import { a, f, message } from '../schema.js';

export const SyncGroupRequest = message(14, 'SyncGroupRequest', '0-4', '4+', [
  f('groupId', 'string'),
  f('generationId', 'int32'),
  f('memberId', 'string'),
  f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
  a('assignments', '0+', [
    f('memberId', 'string'),
    f('assignment', 'bytes'),
  ]),
]);

export const SyncGroupResponse = message(14, 'SyncGroupResponse', '0-4', '4+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16'),
  f('assignment', 'bytes'),
]);
