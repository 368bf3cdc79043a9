// IncrementalAlterConfigs v0-1, flexible from v1 (KIP-339).

import { a, f, message } from '../schema.js';
import { alterConfigsResults } from './alter-configs.js';

export const IncrementalAlterConfigsRequest = message(44, 'IncrementalAlterConfigsRequest', '0-1', '1+', [
  a('resources', '0+', [
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    a('configs', '0+', [
      f('name', 'string'),
      f('configOperation', 'int8'),
      f('value', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
  f('validateOnly', 'bool'),
]);

export const IncrementalAlterConfigsResponse = message(44, 'IncrementalAlterConfigsResponse', '0-1', '1+', [f('throttleTimeMs', 'int32'), alterConfigsResults]);
