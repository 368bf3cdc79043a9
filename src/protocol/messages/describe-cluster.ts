// DescribeCluster v0-2, flexible from v0. v1 adds endpoint_type (KIP-919),
// v2 include_fenced_brokers and is_fenced (KIP-1073).

import { a, f, message } from '../schema.js';

export const DescribeClusterRequest = message(60, 'DescribeClusterRequest', '0-2', '0+', [
  f('includeClusterAuthorizedOperations', 'bool'),
  f('endpointType', 'int8', '1+', { default: 1 }),
  f('includeFencedBrokers', 'bool', '2+'),
]);

export const DescribeClusterResponse = message(60, 'DescribeClusterResponse', '0-2', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('endpointType', 'int8', '1+', { default: 1 }),
  f('clusterId', 'string'),
  f('controllerId', 'int32', '0+', { default: -1 }),
  a('brokers', '0+', [
    f('brokerId', 'int32'),
    f('host', 'string'),
    f('port', 'int32'),
    f('rack', 'string', '0+', { nullable: '0+' }),
    f('isFenced', 'bool', '2+'),
  ]),
  f('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
]);
