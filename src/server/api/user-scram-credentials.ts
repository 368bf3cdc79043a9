// DescribeUserScramCredentials v0 and AlterUserScramCredentials v0 (KIP-554);
// broker/user-credential-changes.ts decides. Until an authorizer exists every
// client may call them, as any other admin API.

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

export const describeUserScramCredentials: ApiHandler = {
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeUserScramCredentialsRequest,
  response: DescribeUserScramCredentialsResponse,
  handle(req, ctx) {
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
  handle(req, ctx) {
    const deletions = req.deletions.map((d: Message) => ({ user: d.name, mechanismCode: d.mechanism }));
    const upsertions = req.upsertions.map((u: Message) => ({ user: u.name, mechanismCode: u.mechanism, iterations: u.iterations, salt: u.salt, saltedPassword: u.saltedPassword }));
    return { throttleTimeMs: 0, results: alterUserCredentials(ctx.credentials, deletions, upsertions) };
  },
};
