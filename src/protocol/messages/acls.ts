// DescribeAcls, CreateAcls and DeleteAcls v1-3 (KIP-140); v1 added the
// pattern types (KIP-290: LITERAL, PREFIXED, and in filters ANY and MATCH),
// v2+ flexible. Codes as in ../acl-codes.ts. v0, before pattern types, is not served.

import { a, f, message } from '../schema.js';

/** A DescribeAcls request and each DeleteAcls filter: an AclBindingFilter. */
const bindingFilter = [
  f('resourceTypeFilter', 'int8'),
  f('resourceNameFilter', 'string', '0+', { nullable: '0+' }),
  f('patternTypeFilter', 'int8', '1+'),
  f('principalFilter', 'string', '0+', { nullable: '0+' }),
  f('hostFilter', 'string', '0+', { nullable: '0+' }),
  f('operation', 'int8'),
  f('permissionType', 'int8'),
];

export const DescribeAclsRequest = message(29, 'DescribeAclsRequest', '1-3', '2+', bindingFilter);

export const DescribeAclsResponse = message(29, 'DescribeAclsResponse', '1-3', '2+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('resources', '0+', [
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    f('patternType', 'int8', '1+'),
    a('acls', '0+', [f('principal', 'string'), f('host', 'string'), f('operation', 'int8'), f('permissionType', 'int8')]),
  ]),
]);

export const CreateAclsRequest = message(30, 'CreateAclsRequest', '1-3', '2+', [
  a('creations', '0+', [
    f('resourceType', 'int8'),
    f('resourceName', 'string'),
    f('resourcePatternType', 'int8', '1+'),
    f('principal', 'string'),
    f('host', 'string'),
    f('operation', 'int8'),
    f('permissionType', 'int8'),
  ]),
]);

export const CreateAclsResponse = message(30, 'CreateAclsResponse', '1-3', '2+', [
  f('throttleTimeMs', 'int32'),
  a('results', '0+', [f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
]);

export const DeleteAclsRequest = message(31, 'DeleteAclsRequest', '1-3', '2+', [a('filters', '0+', bindingFilter)]);

export const DeleteAclsResponse = message(31, 'DeleteAclsResponse', '1-3', '2+', [
  f('throttleTimeMs', 'int32'),
  a('filterResults', '0+', [
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
    a('matchingAcls', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullable: '0+' }),
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('patternType', 'int8', '1+'),
      f('principal', 'string'),
      f('host', 'string'),
      f('operation', 'int8'),
      f('permissionType', 'int8'),
    ]),
  ]),
]);
