// How a client proves itself to the broker and protects its connections, as
// Kafka's security.protocol chooses: `tls` alone is SSL, `sasl` alone
// SASL_PLAINTEXT, both SASL_SSL, neither PLAINTEXT. Every connection of a client
// (bootstrap, per broker, coordinator, reconnects) does TLS first, then
// ApiVersions, then the SASL login (connection.ts, sasl-login.ts).

import type tls from 'node:tls';
import { ClientError } from './client-error.js';

/** TLS settings, as Node's tls.connect takes them: PEM contents (strings or Buffers), not paths. */
export interface ClientTlsOptions {
  /** CA certificates to trust instead of the system's. */
  ca?: tls.ConnectionOptions['ca'];
  /** The client's certificate, for a broker that asks for one (its subject is then the principal without SASL). */
  cert?: tls.ConnectionOptions['cert'];
  /** The private key of `cert`. */
  key?: tls.ConnectionOptions['key'];
  /** The name the broker's certificate must carry (and SNI); default the host connected to. */
  servername?: string;
  /** Whether a certificate that does not verify ends the connection. Default true; false is for tests only. */
  rejectUnauthorized?: boolean;
}

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface ClientSaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** Checks `sasl` once, when the client is made, so that a typo fails before any connection is tried. */
export function checkSaslOptions(sasl: ClientSaslOptions | undefined): void {
  if (sasl === undefined) return;
  if (!SASL_MECHANISMS.includes(sasl.mechanism)) {
    throw new ClientError('SLUICE_ERR_CONFIG', `sasl.mechanism must be one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(sasl.mechanism)}`);
  }
  if (typeof sasl.username !== 'string' || sasl.username === '') throw new ClientError('SLUICE_ERR_CONFIG', 'sasl.username must be a non-empty string');
  if (typeof sasl.password !== 'string') throw new ClientError('SLUICE_ERR_CONFIG', 'sasl.password must be a string');
}
