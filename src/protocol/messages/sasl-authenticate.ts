// SaslAuthenticate v0-2 (KIP-152), v2+ flexible. v1 adds session_lifetime_ms
// (KIP-368: re-authentication).

import { f, message } from '../schema.js';

export const SaslAuthenticateRequest = message(36, 'SaslAuthenticateRequest', '0-2', '2+', [f('authBytes', 'bytes')]);

export const SaslAuthenticateResponse = message(36, 'SaslAuthenticateResponse', '0-2', '2+', [
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('authBytes', 'bytes'),
  f('sessionLifetimeMs', 'int64', '1+'),
]);
