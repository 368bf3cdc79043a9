// A broker with PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL listeners, the SASL ones offering
// SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, and a user `alice` (password
// `alice-secret`) with both SCRAM credentials, created over the PLAINTEXT
// listener as `sluice user create` does.
//
//   const { broker, certs, endpoint } = await startSaslBroker(t);
//   endpoint('SASL_SSL')   // "127.0.0.1:port"

import type { TestContext } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import type { SecurityProtocol } from '../../src/listener-config.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
import { startTestBroker } from './broker.js';
import { type TestCertificates, makeTestCertificates } from './tls-certs.js';

export const USER = 'alice';
export const PASSWORD = 'alice-secret';

export interface SaslBroker {
  broker: RunningBroker;
  certs: TestCertificates;
  /** "127.0.0.1:port" of a listener. */
  endpoint(name: SecurityProtocol): string;
}

export async function startSaslBroker(t: TestContext, options: StartOptions = {}): Promise<SaslBroker> {
  const certs = await makeTestCertificates(t);
  const broker = await startTestBroker(t, {
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    saslMechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'],
    ...options,
  });
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    await upsertScramCredential(admin, USER, 'SCRAM-SHA-512', PASSWORD);
    await upsertScramCredential(admin, USER, 'SCRAM-SHA-256', PASSWORD);
  } finally {
    await admin.close();
  }
  const endpoint = (name: SecurityProtocol) => `127.0.0.1:${broker.listeners.find((l) => l.name === name)!.port}`;
  return { broker, certs, endpoint };
}
