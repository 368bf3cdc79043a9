// Certificates for TLS tests, made by openssl in a temporary directory that is
// removed when the test (or suite) ends: a CA, a server certificate for
// 127.0.0.1 and localhost, a client certificate the CA signed (subject
// OU=eng, CN=alice: Kafka's principal `User:CN=alice,OU=eng`), and a
// self-signed client certificate no CA vouches for.
//
//   const certs = await makeTestCertificates(t);
//   await startTestBroker(t, { listeners: 'SSL://127.0.0.1:0', tlsCert: certs.serverCert, tlsKey: certs.serverKey });

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface CleanupScope {
  after(fn: () => Promise<void>): void;
}

/** Paths of PEM files. */
export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed: verifies against no CA. */
  strangerCert: string;
  strangerKey: string;
}

/** The principal Kafka's default builder gives the client certificate. */
export const CLIENT_CERT_PRINCIPAL = 'User:CN=alice,OU=eng';

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A key and a certificate request, signed by the CA when `ca` is set, else self-signed. */
async function issue(dir: string, name: string, subject: string, ca: boolean, extensions = ''): Promise<void> {
  await openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  const signer = ca ? ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'] : ['-signkey', `${name}.key`];
  const ext = extensions === '' ? [] : ['-extfile', `${name}.ext`];
  if (extensions !== '') await fs.writeFile(path.join(dir, `${name}.ext`), extensions);
  await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, ...signer, '-out', `${name}.pem`, '-days', '2', ...ext);
}

export async function makeTestCertificates(scope: CleanupScope): Promise<TestCertificates> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-tls-'));
  scope.after(() => fs.rm(dir, { recursive: true, force: true }));
  await openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sluice-test-ca');
  await issue(dir, 'server', '/CN=localhost', true, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await issue(dir, 'client', '/OU=eng/CN=alice', true);
  await issue(dir, 'stranger', '/CN=mallory', false);
  const at = (file: string) => path.join(dir, file);
  return {
    dir,
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
  };
}
