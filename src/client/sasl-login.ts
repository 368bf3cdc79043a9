// A SASL login on a connection whose versions are negotiated: SaslHandshake v1
// names the mechanism, then SaslAuthenticate carries its tokens (KIP-152), as
// Kafka's clients do. Resolves with the session lifetime the broker gave
// (SaslAuthenticate v1+, KIP-368; 0: no limit), after which the connection
// must log in again or be closed by the broker.

import { ErrorCode } from '../protocol/error-codes.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../protocol/messages/sasl-authenticate.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/messages/sasl-handshake.js';
import type { ClientSaslOptions } from './client-security.js';
import { KafkaError } from './client-error.js';
import type { BrokerConnection } from './connection.js';
import { ScramClient } from './scram-client.js';

const HANDSHAKE = { request: SaslHandshakeRequest, response: SaslHandshakeResponse };
const AUTHENTICATE = { request: SaslAuthenticateRequest, response: SaslAuthenticateResponse };

export async function saslLogin(conn: BrokerConnection, sasl: ClientSaslOptions, address: string): Promise<number> {
  const doing = `SASL ${sasl.mechanism} login as '${sasl.username}' to ${address}`;
  const handshake = await conn.sendVersion(HANDSHAKE, 1, { mechanism: sasl.mechanism });
  if (handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    const enabled = handshake.mechanisms.length > 0 ? handshake.mechanisms.join(', ') : 'none';
    throw new KafkaError(handshake.errorCode, `the broker enables ${enabled} on this listener`, doing, { hint: `set the SASL mechanism to one of: ${enabled}` });
  }
  if (handshake.errorCode === ErrorCode.ILLEGAL_SASL_STATE) {
    throw new KafkaError(handshake.errorCode, 'this listener takes no SASL logins', doing, { hint: "leave out sasl here (PLAINTEXT or SSL listener), or use the broker's SASL_PLAINTEXT or SASL_SSL listener" });
  }
  if (handshake.errorCode !== ErrorCode.NONE) throw new KafkaError(handshake.errorCode, null, doing);

  const authenticate = async (authBytes: Buffer) => {
    const res = await conn.send(AUTHENTICATE, { authBytes });
    if (res.errorCode !== ErrorCode.NONE) {
      const hint = res.errorCode === ErrorCode.SASL_AUTHENTICATION_FAILED ? `check the user name and password; the user needs a ${sasl.mechanism === 'PLAIN' ? 'SCRAM' : sasl.mechanism} credential on the broker (sluice user create)` : undefined;
      throw new KafkaError(res.errorCode, res.errorMessage, doing, { hint });
    }
    return res;
  };

  if (sasl.mechanism === 'PLAIN') {
    // RFC 4616: [authzid] NUL authcid NUL password; the authzid left empty means the user itself.
    const done = await authenticate(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return Number(done.sessionLifetimeMs ?? 0);
  }
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
  const serverFirst = await authenticate(scram.clientFirst());
  const done = await authenticate(await scram.clientFinal(serverFirst.authBytes));
  scram.verifyServerFinal(done.authBytes);
  return Number(done.sessionLifetimeMs ?? 0);
}
