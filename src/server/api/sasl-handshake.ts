// SaslHandshake v0-1: the client picks a mechanism (sasl/sasl-session.ts
// decides). Outside a SASL listener, or after a failure, ILLEGAL_SASL_STATE,
// as Kafka answers.

import { ErrorCode } from '../../protocol/error-codes.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from '../../protocol/messages/sasl-handshake.js';
import type { ApiHandler } from './handler.js';

export const saslHandshake: ApiHandler = {
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  request: SaslHandshakeRequest,
  response: SaslHandshakeResponse,
  handle(req, ctx) {
    if (ctx.sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    return ctx.sasl.handshake(req.mechanism, ctx.apiVersion);
  },
};
