// The client side of SCRAM (RFC 5802) for raw-socket tests, written from the
// RFC: the messages a client sends, so that tests can send them out of order,
// twice, or altered.
//
//   const scram = new ScramClient('SCRAM-SHA-512', 'alice', 'secret');
//   send(scram.clientFirst()); const final = await scram.clientFinal(serverFirst);

import crypto from 'node:crypto';
import { type ScramMechanism, digest, hmac, saltPassword } from '../../src/protocol/scram.js';

export class ScramClient {
  readonly clientNonce = crypto.randomBytes(18).toString('base64');

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly user: string,
    private readonly password: string,
  ) {}

  private get clientFirstBare(): string {
    return `n=${this.user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.clientNonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  /** The client-final message answering `serverFirst`, with its proof. */
  async clientFinal(serverFirst: Buffer): Promise<Buffer> {
    const text = serverFirst.toString();
    const attrs = new Map(text.split(',').map((p) => [p.slice(0, 1), p.slice(2)]));
    const salted = await saltPassword(this.mechanism, this.password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')));
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const withoutProof = `c=biws,r=${attrs.get('r')}`;
    const signature = hmac(this.mechanism, digest(this.mechanism, clientKey), `${this.clientFirstBare},${text},${withoutProof}`);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }
}
