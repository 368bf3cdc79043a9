// The server side of one SCRAM exchange (RFC 5802; RFC 7677 for SHA-256):
//
//   client-first  n,,n=<user>,r=<client nonce>[,extensions]
//   server-first  r=<client nonce><server nonce>,s=<salt>,i=<iterations>
//   client-final  c=<base64 gs2 header>,r=<both nonces>,p=<ClientProof>
//   server-final  v=<ServerSignature>
//
// The client proves it knows SaltedPassword: ClientKey = ClientProof XOR
// HMAC(StoredKey, AuthMessage) must hash to StoredKey, compared in constant
// time. The server nonce is fresh for each exchange and the exchange takes one
// client-final only, so a recorded client-final is never accepted again.

import crypto from 'node:crypto';
import { type ScramMechanism, type ScramCredential, digest, hmac } from '../../protocol/scram.js';
import type { UserCredentials } from '../../broker/user-credentials.js';

/** What a step of an exchange gives: bytes for the client, and the user once it proved who it is. */
export type SaslStep = { kind: 'challenge'; bytes: Buffer } | { kind: 'done'; bytes: Buffer; user: string } | { kind: 'failed'; reason: string; user: string };

const SERVER_NONCE_BYTES = 24;

/** RFC 5802 saslname: ',' and '=' travel as =2C and =3D; any other '=' is malformed. */
function decodeSaslName(name: string): string | null {
  if (/=(?!2C|3D)/.test(name)) return null;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** The `key=value` attributes of a SCRAM message, in order. */
function attributes(message: string): [string, string][] {
  return message.split(',').map((part) => [part.slice(0, 1), part.slice(2)]);
}

export class ScramExchange {
  private state: 'first' | 'final' | 'over' = 'first';
  private user = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | undefined;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly credentials: UserCredentials,
  ) {}

  step(token: Buffer): SaslStep {
    const message = token.toString('utf8');
    if (this.state === 'first') return this.clientFirst(message);
    if (this.state === 'final') return this.clientFinal(message);
    return this.fail('the exchange is over');
  }

  private fail(reason: string): SaslStep {
    this.state = 'over';
    return { kind: 'failed', reason, user: this.user };
  }

  private clientFirst(message: string): SaslStep {
    // gs2 header: no channel binding ("n" or "y"), optional authzid, then the bare message.
    const header = /^([ny]),(a=[^,]*)?,/.exec(message);
    if (!header) return this.fail('malformed client-first message');
    this.clientFirstBare = message.slice(header[0].length);
    const [userAttr, nonceAttr] = attributes(this.clientFirstBare);
    const user = userAttr?.[0] === 'n' ? decodeSaslName(userAttr[1]) : null;
    if (user === null || nonceAttr?.[0] !== 'r' || nonceAttr[1] === '') return this.fail('malformed client-first message');
    this.user = user;
    const authzid = header[2] ? decodeSaslName(header[2].slice(2)) : null;
    if (authzid !== null && authzid !== user) return this.fail('authorization id differs from the user');
    this.credential = this.credentials.get(user, this.mechanism);
    if (!this.credential) return this.fail('unknown user');
    this.nonce = nonceAttr[1] + crypto.randomBytes(SERVER_NONCE_BYTES).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
    this.state = 'final';
    return { kind: 'challenge', bytes: Buffer.from(this.serverFirst) };
  }

  private clientFinal(message: string): SaslStep {
    const credential = this.credential as ScramCredential;
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) return this.fail('malformed client-final message');
    const withoutProof = message.slice(0, proofAt);
    const attrs = new Map(attributes(withoutProof));
    // The nonce must end with this exchange's (client nonce + fresh server nonce), as
    // Kafka's ScramSaslServer checks: librdkafka 2.0 puts its client nonce before it once more.
    if (!(attrs.get('r') ?? '').endsWith(this.nonce)) return this.fail('nonce mismatch');
    const gs2Header = message.startsWith('c=') ? Buffer.from(attrs.get('c') ?? '', 'base64').toString('utf8') : '';
    if (!/^n,(a=[^,]*)?,$/.test(gs2Header)) return this.fail('channel binding not supported');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) return this.fail('invalid credentials');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    if (!crypto.timingSafeEqual(digest(this.mechanism, clientKey), credential.storedKey)) return this.fail('invalid credentials');
    this.state = 'over';
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    return { kind: 'done', bytes: Buffer.from(`v=${serverSignature.toString('base64')}`), user: this.user };
  }
}
