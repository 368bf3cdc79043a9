// DescribeLogDirs v1-4, flexible from v2 (v0 is gone from Kafka 4).

import { a, f, message } from '../schema.js';

export const DescribeLogDirsRequest = message(35, 'DescribeLogDirsRequest', '1-4', '2+', [
  a('topics', '0+', [f('topic', 'string'), f('partitions', '[]int32')], { nullable: '0+' }),
]);

export const DescribeLogDirsResponse = message(35, 'DescribeLogDirsResponse', '1-4', '2+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16', '3+'),
  a('results', '0+', [
    f('errorCode', 'int16'),
    f('logDir', 'string'),
    a('topics', '0+', [
      f('name', 'string'),
      a('partitions', '0+', [f('partitionIndex', 'int32'), f('partitionSize', 'int64'), f('offsetLag', 'int64'), f('isFutureKey', 'bool')]),
    ]),
    f('totalBytes', 'int64', '4+', { default: -1 }),
    f('usableBytes', 'int64', '4+', { default: -1 }),
  ]),
]);
