// CreateTopics v0-7, flexible from v5.

import { a, f, message } from '../schema.js';

export const CreateTopicsRequest = message(19, 'CreateTopicsRequest', '0-7', '5+', [
  a('topics', '0+', [
    f('name', 'string'),
    f('numPartitions', 'int32'),
    f('replicationFactor', 'int16'),
    a('assignments', '0+', [
      f('partitionIndex', 'int32'),
      f('brokerIds', '[]int32'),
    ]),
    a('configs', '0+', [
      f('name', 'string'),
      f('value', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
  f('timeoutMs', 'int32', '0+', { default: 60000 }),
  f('validateOnly', 'bool', '1+'),
]);

export const CreateTopicsResponse = message(19, 'CreateTopicsResponse', '0-7', '5+', [
  f('throttleTimeMs', 'int32', '2+'),
  a('topics', '0+', [
    f('name', 'string'),
    f('topicId', 'uuid', '7+'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '1+', { nullable: '0+' }),
    f('topicConfigErrorCode', 'int16', '5+', { tag: 0 }),
    f('numPartitions', 'int32', '5+', { default: -1 }),
    f('replicationFactor', 'int16', '5+', { default: -1 }),
    a('configs', '5+', [
      f('name', 'string', '5+'),
      f('value', 'string', '5+', { nullable: '5+' }),
      f('readOnly', 'bool', '5+'),
      f('configSource', 'int8', '5+', { default: -1 }),
      f('isSensitive', 'bool', '5+'),
    ], { nullable: '5+' }),
  ]),
]);
