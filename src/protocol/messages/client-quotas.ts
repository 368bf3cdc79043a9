// DescribeClientQuotas v0-1 and AlterClientQuotas v0-1 (KIP-546), v1+ flexible.
// An entity is a list of (entity type, name) parts, a null name the default
// (<default>); filter match types: 0 exact name, 1 the default, 2 any name.

import { a, f, message } from '../schema.js';

const entity = [f('entityType', 'string'), f('entityName', 'string', '0+', { nullable: '0+' })];

export const DescribeClientQuotasRequest = message(48, 'DescribeClientQuotasRequest', '0-1', '1+', [
  a('components', '0+', [f('entityType', 'string'), f('matchType', 'int8'), f('match', 'string', '0+', { nullable: '0+' })]),
  f('strict', 'bool'),
]);

export const DescribeClientQuotasResponse = message(48, 'DescribeClientQuotasResponse', '0-1', '1+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('entries', '0+', [a('entity', '0+', entity), a('values', '0+', [f('key', 'string'), f('value', 'float64')])], { nullable: '0+' }),
]);

export const AlterClientQuotasRequest = message(49, 'AlterClientQuotasRequest', '0-1', '1+', [
  a('entries', '0+', [a('entity', '0+', entity), a('ops', '0+', [f('key', 'string'), f('value', 'float64'), f('remove', 'bool')])]),
  f('validateOnly', 'bool'),
]);

export const AlterClientQuotasResponse = message(49, 'AlterClientQuotasResponse', '0-1', '1+', [
  f('throttleTimeMs', 'int32'),
  a('entries', '0+', [f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' }), a('entity', '0+', entity)]),
]);
