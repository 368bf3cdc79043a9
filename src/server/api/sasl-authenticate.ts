// SaslAuthenticate v0-2 (KIP-152): one SASL token each way (sasl/sasl-session.ts
// runs the exchange); v1+ tells the session lifetime (KIP-368). Outside a SASL
// listener, ILLEGAL_SASL_STATE.

import { ErrorCode } from '../../protocol/error-codes.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../protocol/messages/sasl-authenticate.js';
import type { ApiHandler } from './handler.js';

export const saslAuthenticate: ApiHandler = {
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  request: SaslAuthenticateRequest,
  response: SaslAuthenticateResponse,
  async handle(req, ctx) {
    if (ctx.sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'this listener does not use SASL', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    return ctx.sasl.authenticate(req.authBytes, ctx.apiVersion);
  },
};
