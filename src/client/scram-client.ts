// The client side of one SCRAM exchange (RFC 5802; RFC 7677 for SHA-256),
// key derivations from protocol/scram.ts:
//
//   client-first  n,,n=<user>,r=<client nonce>
//   server-first  r=<client nonce><server nonce>,s=<salt>,i=<iterations>
//   client-final  c=biws,r=<both nonces>,p=<ClientProof>
//   server-final  v=<ServerSignature>   (or e=<error>)
//
// The client checks the broker too: its nonce must extend the client's fresh
// one (so the answer belongs to this exchange), its iterations must be at
// least Kafka's minimum, and its ServerSignature proves it knows ServerKey,
// compared in constant time. No channel binding ("n,," / c=biws), as Kafka.

import crypto from 'node:crypto';
import { MIN_ITERATIONS, type ScramMechanism, digest, hmac, saltPassword } from '../protocol/scram.js';
import { ClientError } from './client-error.js';

const CLIENT_NONCE_BYTES = 24;

/** RFC 5802 saslname: ',' and '=' travel as =2C and =3D. */
const encodeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** The `key=value` attributes of a SCRAM message. */
function attributes(message: string): Map<string, string> {
  return new Map(message.split(',').map((part) => [part.slice(0, 1), part.slice(2)]));
}

function refused(reason: string): ClientError {
  return new ClientError('SLUICE_ERR_SASL', `SCRAM exchange refused: ${reason}`, { hint: 'the broker did not follow SCRAM (RFC 5802) or is not the one the client meant to reach' });
}

export class ScramClient {
  readonly clientNonce = crypto.randomBytes(CLIENT_NONCE_BYTES).toString('base64');
  /** HMAC(ServerKey, AuthMessage), known once the client-final is built. */
  private serverSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly user: string,
    private readonly password: string,
  ) {}

  private get clientFirstBare(): string {
    return `n=${encodeSaslName(this.user)},r=${this.clientNonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  /** The client-final message answering `serverFirst`, with its proof; throws SLUICE_ERR_SASL when the server-first is not acceptable. */
  async clientFinal(serverFirst: Buffer): Promise<Buffer> {
    const text = serverFirst.toString('utf8');
    const attrs = attributes(text);
    const nonce = attrs.get('r') ?? '';
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) throw refused('the server nonce does not extend the client nonce');
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (salt.length === 0 || !Number.isInteger(iterations)) throw refused('malformed server-first message');
    if (iterations < MIN_ITERATIONS) throw refused(`${iterations} iterations, fewer than the ${MIN_ITERATIONS} Kafka requires`);
    const salted = await saltPassword(this.mechanism, this.password, salt, iterations);
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, digest(this.mechanism, clientKey), authMessage);
    this.serverSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ clientSignature[i]));
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Checks the server-final message: the broker proved it holds the user's ServerKey. */
  verifyServerFinal(serverFinal: Buffer): void {
    const attrs = attributes(serverFinal.toString('utf8'));
    if (attrs.has('e')) throw refused(`the broker answered ${attrs.get('e')}`);
    const given = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (this.serverSignature === null || given.length !== this.serverSignature.length || !crypto.timingSafeEqual(given, this.serverSignature)) {
      throw refused('the server signature does not match: the broker does not know this password');
    }
  }
}
