// --http-tls: the HTTP API and the console are served over HTTPS with the TLS
// listeners' certificate; a client trusting the CA gets its answers, a plain
// HTTP request to the port gets none, and a Basic login crosses encrypted.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { freePort } from '../helpers/free-port.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';
import { makeTestCertificates } from '../helpers/tls-certs.js';

/** GET over HTTPS trusting `ca`: the status and the body. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        // Read before the end: the socket is let go once the response is.
        const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol }));
      })
      .on('error', reject);
  });
}

test('with --http-tls the HTTP API answers over HTTPS with the broker certificate, and not over plain HTTP', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const httpPort = await freePort();
  await startInProcessBroker(t, { httpPort, httpTls: true, tlsCert: certs.serverCert, tlsKey: certs.serverKey });
  const ca = fs.readFileSync(certs.ca);
  const answer = await httpsGet(`https://localhost:${httpPort}/topics`, ca);
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body).topics, []);
  assert.match(answer.protocol, /^TLSv1\.[23]$/);
  await assert.rejects(fetch(`http://127.0.0.1:${httpPort}/topics`), 'a plain HTTP request gets no answer');
  await assert.rejects(httpsGet(`https://localhost:${httpPort}/topics`, Buffer.from('')), 'a client that does not trust the CA refuses the certificate');
});

test('--http-tls without a certificate is refused at start with what to give', async (t) => {
  await assert.rejects(startInProcessBroker(t, { httpPort: await freePort(), httpTls: true }), /httpTls needs tlsCert and tlsKey/);
});
