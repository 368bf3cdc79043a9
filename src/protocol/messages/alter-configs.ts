// AlterConfigs v0-2, flexible from v2.

import { a, f, message } from '../schema.js';

export const AlterConfigsRequest = message(33, 'AlterConfigsRequest', '0-2', '2+', [
  a('resources', '0+', [
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    a('configs', '0+', [
      f('name', 'string'),
      f('value', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
  f('validateOnly', 'bool'),
]);

/** One result per resource; IncrementalAlterConfigsResponse has the same layout. */
export const alterConfigsResults = a('responses', '0+', [
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('resourceType', 'int8'),
  f('resourceName', 'string'),
]);

export const AlterConfigsResponse = message(33, 'AlterConfigsResponse', '0-2', '2+', [f('throttleTimeMs', 'int32'), alterConfigsResults]);
