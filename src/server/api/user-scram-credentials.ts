// DescribeUserScramCredentials v0 and AlterUserScramCredentials v0 (KIP-554);
// broker/user-credential-changes.ts decides. Describing needs DESCRIBE on the
// cluster, altering ALTER (CLUSTER_AUTHORIZATION_FAILED, as Kafka).

import { alterUserCredentials, describeUserCredentials } from '../../broker/user-credential-changes.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../protocol/messages/user-scram-credentials.js';
import type { ApiHandler } from './handler.js';
import { ALTER, DESCRIBE, mayOnCluster } from './authorize.js';

export const describeUserScramCredentials: ApiHandler = {
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeUserScramCredentialsRequest,
  response: DescribeUserScramCredentialsResponse,
  handle(req, ctx) {
    if (!mayOnCluster(ctx, DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed to describe users', results: [] };
    const users = req.users === null ? null : req.users.map((u: Message) => u.name as string);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results: describeUserCredentials(ctx.credentials, users).map((d) => ({
        user: d.user,
        errorCode: d.errorCode,
        errorMessage: d.errorMessage,
        credentialInfos: d.credentials.map((c) => ({ mechanism: c.mechanismCode, iterations: c.iterations })),
      })),
    };
  },
};

export const alterUserScramCredentials: ApiHandler = {
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  request: AlterUserScramCredentialsRequest,
  response: AlterUserScramCredentialsResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER)) {
      const refused = (u: Message) => ({ user: u.name, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed to alter users' });
      return { throttleTimeMs: 0, results: [...req.deletions, ...req.upsertions].map(refused) };
    }
    const deletions = req.deletions.map((d: Message) => ({ user: d.name, mechanismCode: d.mechanism }));
    const upsertions = req.upsertions.map((u: Message) => ({ user: u.name, mechanismCode: u.mechanism, iterations: u.iterations, salt: u.salt, saltedPassword: u.saltedPassword }));
    return { throttleTimeMs: 0, results: await alterUserCredentials(ctx.credentials, deletions, upsertions) };
  },
};
