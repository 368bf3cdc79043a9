// SSL listeners beside a PLAINTEXT one: Metadata names each broker at the
// endpoint of the listener the request came in on; a plaintext client on the
// TLS port is closed before anything it sent is decoded; with mutual TLS the
// client certificate's subject is the connection's principal, and a missing or
// unverified certificate is refused.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { type AuthenticationEvent, authenticationChannel } from '../../src/server/authentication-channel.js';
import { type RequestEvent, requestChannel } from '../../src/server/request-channel.js';
import { startTestBroker } from '../helpers/broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { CLIENT_CERT_PRINCIPAL, type TestCertificates, makeTestCertificates } from '../helpers/tls-certs.js';
import type { RunningBroker } from '../../src/start-broker.js';
import type { SecurityProtocol } from '../../src/listener-config.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';

function portOf(broker: RunningBroker, name: SecurityProtocol): number {
  const l = broker.listeners.find((x) => x.name === name);
  assert.ok(l, `no ${name} listener`);
  return l.port;
}

async function metadataBrokers(raw: RawSocket): Promise<{ host: string; port: number }[]> {
  await raw.write(encodeRequest(MetadataRequest, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 7));
  const { correlationId, body } = decodeResponse(await raw.nextFrame(), MetadataResponse, 12);
  assert.equal(correlationId, 7);
  return body.brokers.map((b: { host: string; port: number }) => ({ host: b.host, port: b.port }));
}

async function apiVersionsAnswered(raw: RawSocket): Promise<void> {
  await raw.write(encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, 3));
  const { correlationId, body } = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 3);
  assert.equal(correlationId, 3);
  assert.equal(body.errorCode, 0);
}

/** Authentication events published while the test runs. */
function watchAuthentications(t: TestContext): AuthenticationEvent[] {
  const seen: AuthenticationEvent[] = [];
  const observe = (e: unknown) => seen.push(e as AuthenticationEvent);
  authenticationChannel.subscribe(observe);
  t.after(() => authenticationChannel.unsubscribe(observe));
  return seen;
}

function tlsBroker(t: TestContext, certs: TestCertificates, extra: Record<string, unknown> = {}): Promise<RunningBroker> {
  return startTestBroker(t, { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', tlsCert: certs.serverCert, tlsKey: certs.serverKey, ...extra });
}

test('PLAINTEXT and SSL listeners serve at once, and Metadata names the broker at the endpoint of the listener asked', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const broker = await tlsBroker(t, certs);
  const plain = portOf(broker, 'PLAINTEXT');
  const ssl = portOf(broker, 'SSL');
  assert.notEqual(plain, ssl);
  assert.equal(broker.port, plain, 'the PLAINTEXT listener is the primary one');

  assert.deepEqual(await metadataBrokers(await RawSocket.connect(t, plain)), [{ host: '127.0.0.1', port: plain }]);
  const overTls = await RawSocket.connectTls(t, ssl, { ca: fs.readFileSync(certs.ca), servername: 'localhost' });
  assert.deepEqual(await metadataBrokers(overTls), [{ host: '127.0.0.1', port: ssl }]);
});

test('advertised listeners are what Metadata gives on each listener', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const broker = await tlsBroker(t, certs, { advertisedListeners: 'SSL://broker.example:19093' });
  const plain = portOf(broker, 'PLAINTEXT');
  assert.deepEqual(await metadataBrokers(await RawSocket.connect(t, plain)), [{ host: '127.0.0.1', port: plain }]);
  const overTls = await RawSocket.connectTls(t, broker.config.listeners.find((l) => l.name === 'SSL')!.port, { ca: fs.readFileSync(certs.ca), servername: 'localhost' });
  assert.deepEqual(await metadataBrokers(overTls), [{ host: 'broker.example', port: 19093 }]);
});

test('a plaintext client on the SSL port is closed and nothing it sent is decoded', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const broker = await tlsBroker(t, certs);
  const ssl = portOf(broker, 'SSL');
  const decoded: RequestEvent[] = [];
  const observe = (e: unknown) => decoded.push(e as RequestEvent);
  requestChannel.subscribe(observe);
  t.after(() => requestChannel.unsubscribe(observe));

  const raw = await RawSocket.connect(t, ssl);
  await raw.write(encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, 1));
  await raw.closedByPeer();
  assert.deepEqual(decoded.filter((e) => e.listenerPort === ssl), []);
  // The same request over TLS is answered, and seen.
  await apiVersionsAnswered(await RawSocket.connectTls(t, ssl, { ca: fs.readFileSync(certs.ca), servername: 'localhost' }));
  assert.equal(decoded.filter((e) => e.listenerPort === ssl && e.api === 'ApiVersions').length, 1);
});

test('mutual TLS: the client certificate subject is the principal; without a certificate, or with one no CA vouches for, the connection is refused', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const broker = await tlsBroker(t, certs, { tlsCa: certs.ca, tlsClientAuth: 'required' });
  const ssl = portOf(broker, 'SSL');
  const seen = watchAuthentications(t);
  const ca = fs.readFileSync(certs.ca);

  await apiVersionsAnswered(await RawSocket.connectTls(t, ssl, { ca, servername: 'localhost', cert: fs.readFileSync(certs.clientCert), key: fs.readFileSync(certs.clientKey) }));
  assert.deepEqual(seen, [{ listener: 'SSL', listenerPort: ssl, clientHost: '127.0.0.1', principal: CLIENT_CERT_PRINCIPAL, mechanism: 'TLS', succeeded: true }]);

  for (const cert of [null, { cert: certs.strangerCert, key: certs.strangerKey }]) {
    seen.length = 0;
    const options = cert ? { cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) } : {};
    // TLS 1.3 finishes the client's side of the handshake before the server judges its certificate.
    const raw = await RawSocket.connectTls(t, ssl, { ca, servername: 'localhost', ...options }).catch(() => null);
    if (raw) {
      await raw.write(encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, 2)).catch(() => {});
      await raw.closedByPeer();
    }
    assert.deepEqual(
      seen.map((e) => [e.principal, e.succeeded]),
      [[cert ? 'User:CN=mallory' : '', false]],
    );
  }
  // The PLAINTEXT listener asks for no certificate.
  await apiVersionsAnswered(await RawSocket.connect(t, portOf(broker, 'PLAINTEXT')));
});

test('requested client authentication serves a client without a certificate as ANONYMOUS', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const broker = await tlsBroker(t, certs, { tlsCa: certs.ca, tlsClientAuth: 'requested' });
  const seen = watchAuthentications(t);
  await apiVersionsAnswered(await RawSocket.connectTls(t, portOf(broker, 'SSL'), { ca: fs.readFileSync(certs.ca), servername: 'localhost' }));
  assert.deepEqual(seen, [], 'no principal was established');
});

test('listener settings a broker cannot serve are config errors: TLS without a certificate, a listener twice, an unknown advertised one, a cluster without a PLAINTEXT listener', async (t) => {
  await assert.rejects(startTestBroker(t, { listeners: 'SSL://127.0.0.1:0' }), { code: 'SLUICE_ERR_CONFIG', message: /tlsCert and tlsKey/ });
  await assert.rejects(startTestBroker(t, { listeners: 'PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0' }), { code: 'SLUICE_ERR_CONFIG', message: /twice/ });
  await assert.rejects(startTestBroker(t, { listeners: 'SASL_SSL://127.0.0.1:0', advertisedListeners: 'SSL://x:1' }), { code: 'SLUICE_ERR_CONFIG' });
  await assert.rejects(startTestBroker(t, { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', etcd: ['http://127.0.0.1:2379'] }), { code: 'SLUICE_ERR_CONFIG', message: /replicate over a PLAINTEXT listener/ });
});
