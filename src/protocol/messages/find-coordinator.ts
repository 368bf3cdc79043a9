// FindCoordinator v0-4, flexible from v3.

import { a, f, message } from '../schema.js';

export const FindCoordinatorRequest = message(10, 'FindCoordinatorRequest', '0-4', '3+', [
  f('key', 'string', '0-3'),
  f('keyType', 'int8', '1+'),
  f('coordinatorKeys', '[]string', '4+'),
]);

export const FindCoordinatorResponse = message(10, 'FindCoordinatorResponse', '0-4', '3+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16', '0-3'),
  f('errorMessage', 'string', '1-3', { nullable: '1-3' }),
  f('nodeId', 'int32', '0-3'),
  f('host', 'string', '0-3'),
  f('port', 'int32', '0-3'),
  a('coordinators', '4+', [
    f('key', 'string', '4+'),
    f('nodeId', 'int32', '4+'),
    f('host', 'string', '4+'),
    f('port', 'int32', '4+'),
    f('errorCode', 'int16', '4+'),
    f('errorMessage', 'string', '4+', { nullable: '4+' }),
  ]),
]);
