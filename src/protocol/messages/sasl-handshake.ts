// SaslHandshake v0-1, never flexible. v0: the SASL tokens that follow go as raw
// length-prefixed frames, not Kafka requests; v1 (KIP-152): they go in
// SaslAuthenticate requests.

import { f, message } from '../schema.js';

export const SaslHandshakeRequest = message(17, 'SaslHandshakeRequest', '0-1', 'none', [f('mechanism', 'string')]);

export const SaslHandshakeResponse = message(17, 'SaslHandshakeResponse', '0-1', 'none', [f('errorCode', 'int16'), f('mechanisms', '[]string')]);
