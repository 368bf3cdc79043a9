// Heartbeat v0-4, flexible from v4.

import { f, message } from '../schema.js';

export const HeartbeatRequest = message(12, 'HeartbeatRequest', '0-4', '4+', [
  f('groupId', 'string'),
  f('generationId', 'int32'),
  f('memberId', 'string'),
  f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
]);

export const HeartbeatResponse = message(12, 'HeartbeatResponse', '0-4', '4+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16'),
]);
