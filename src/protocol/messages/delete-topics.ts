// DeleteTopics v0-6, flexible from v4.

import { a, f, message } from '../schema.js';

export const DeleteTopicsRequest = message(20, 'DeleteTopicsRequest', '0-6', '4+', [
  a('topics', '6+', [
    f('name', 'string', '6+', { nullable: '6+' }),
    f('topicId', 'uuid', '6+'),
  ]),
  f('topicNames', '[]string', '0-5'),
  f('timeoutMs', 'int32'),
]);

export const DeleteTopicsResponse = message(20, 'DeleteTopicsResponse', '0-6', '4+', [
  f('throttleTimeMs', 'int32', '1+'),
  a('responses', '0+', [
    f('name', 'string', '0+', { nullable: '6+' }),
    f('topicId', 'uuid', '6+'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '5+', { nullable: '5+' }),
  ]),
]);
