// DescribeUserScramCredentials v0 and AlterUserScramCredentials v0 (KIP-554),
// flexible from v0. The client sends the salted password, never the password.
// Mechanism codes: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512.

import { a, f, message } from '../schema.js';

export const DescribeUserScramCredentialsRequest = message(50, 'DescribeUserScramCredentialsRequest', '0', '0+', [
  a('users', '0+', [f('name', 'string')], { nullable: '0+' }),
]);

export const DescribeUserScramCredentialsResponse = message(50, 'DescribeUserScramCredentialsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('results', '0+', [
    f('user', 'string'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
    a('credentialInfos', '0+', [f('mechanism', 'int8'), f('iterations', 'int32')]),
  ]),
]);

export const AlterUserScramCredentialsRequest = message(51, 'AlterUserScramCredentialsRequest', '0', '0+', [
  a('deletions', '0+', [f('name', 'string'), f('mechanism', 'int8')]),
  a('upsertions', '0+', [f('name', 'string'), f('mechanism', 'int8'), f('iterations', 'int32'), f('salt', 'bytes'), f('saltedPassword', 'bytes')]),
]);

export const AlterUserScramCredentialsResponse = message(51, 'AlterUserScramCredentialsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  a('results', '0+', [f('user', 'string'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
]);
