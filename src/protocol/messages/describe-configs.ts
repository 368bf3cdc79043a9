// DescribeConfigs v0-4, flexible from v4.

import { a, f, message } from '../schema.js';

export const DescribeConfigsRequest = message(32, 'DescribeConfigsRequest', '0-4', '4+', [
  a('resources', '0+', [
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    f('configurationKeys', '[]string', '0+', { nullable: '0+' }),
  ]),
  f('includeSynonyms', 'bool', '1+'),
  f('includeDocumentation', 'bool', '3+'),
]);

export const DescribeConfigsResponse = message(32, 'DescribeConfigsResponse', '0-4', '4+', [
  f('throttleTimeMs', 'int32'),
  a('results', '0+', [
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    a('configs', '0+', [
      f('name', 'string'),
      f('value', 'string', '0+', { nullable: '0+' }),
      f('readOnly', 'bool'),
      f('isDefault', 'bool', '0'),
      f('configSource', 'int8', '1+', { default: -1 }),
      f('isSensitive', 'bool'),
      a('synonyms', '1+', [
        f('name', 'string', '1+'),
        f('value', 'string', '1+', { nullable: '0+' }),
        f('source', 'int8', '1+'),
      ]),
      f('configType', 'int8', '3+'),
      f('documentation', 'string', '3+', { nullable: '0+' }),
    ]),
  ]),
]);
