// SCRAM's key derivations (RFC 5802, with RFC 7677's SHA-256 and Kafka's
// SHA-512), shared by the credential store and the SASL exchanges:
//
//   SaltedPassword = Hi(password, salt, iterations)   PBKDF2 with HMAC-H
//   ClientKey      = HMAC(SaltedPassword, "Client Key")
//   StoredKey      = H(ClientKey)                     kept
//   ServerKey      = HMAC(SaltedPassword, "Server Key") kept
//
// Only the salt, the iterations, StoredKey and ServerKey are ever stored.

import crypto from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

interface MechanismInfo {
  /** Kafka's code in DescribeUserScramCredentials / AlterUserScramCredentials. */
  code: number;
  hash: 'sha256' | 'sha512';
  /** Bytes of the hash. */
  length: number;
}

export const SCRAM_MECHANISMS: Record<ScramMechanism, MechanismInfo> = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', length: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', length: 64 },
};

/** Kafka's bounds on a credential's iterations (ScramMechanism.minIterations; AlterUserScramCredentials' upper limit). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export function mechanismByCode(code: number): ScramMechanism | null {
  for (const [name, info] of Object.entries(SCRAM_MECHANISMS)) if (info.code === code) return name as ScramMechanism;
  return null;
}

export const isScramMechanism = (name: string): name is ScramMechanism => Object.hasOwn(SCRAM_MECHANISMS, name);

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const hmac = (mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer => crypto.createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();

export const digest = (mechanism: ScramMechanism, data: Buffer): Buffer => crypto.createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();

/** The stored credential of a salted password (AlterUserScramCredentials carries the salted password, not the password). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, saltedPassword: Buffer, salt: Buffer, iterations: number): ScramCredential {
  return {
    salt,
    iterations,
    storedKey: digest(mechanism, hmac(mechanism, saltedPassword, 'Client Key')),
    serverKey: hmac(mechanism, saltedPassword, 'Server Key'),
  };
}

/** Hi(password, salt, iterations): PBKDF2 off the event loop. */
export function saltPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { hash, length } = SCRAM_MECHANISMS[mechanism];
  return new Promise((resolve, reject) => crypto.pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, length, hash, (err, key) => (err ? reject(err) : resolve(key))));
}
