// SASL on the wire, from raw sockets: before authentication a connection may
// send ApiVersions and the SASL requests only (anything else closes it, its body
// unread); SCRAM refuses an unknown user, a wrong password and a replayed
// client-final; PLAIN is refused where there is no TLS; SaslHandshake v0's raw
// tokens work; a session past connectionsMaxReauthMs is closed on its next
// request unless it re-authenticates (KIP-368); failures are counted in
// GET /metrics, and a flood of them does not hold up a client that logs in.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { pino } from 'pino';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { ProduceRequest } from '../../src/protocol/messages/produce.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../src/protocol/messages/sasl-authenticate.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from '../../src/protocol/messages/sasl-handshake.js';
import type { Message } from '../../src/protocol/codec.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { type RequestEvent, requestChannel } from '../../src/server/request-channel.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { RawSocket, decodeResponse, encodeRequest, frameOf, headerV1 } from '../helpers/raw-socket.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { ScramClient } from '../../src/client/scram-client.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';

let correlation = 100;

async function ask(raw: RawSocket, request: MessageSchema, response: MessageSchema, version: number, body: Message): Promise<Message> {
  const id = ++correlation;
  await raw.write(encodeRequest(request, version, body, id));
  const answer = decodeResponse(await raw.nextFrame(), response, version);
  assert.equal(answer.correlationId, id);
  return answer.body;
}

const handshake = (raw: RawSocket, mechanism: string, version = 1) => ask(raw, SaslHandshakeRequest, SaslHandshakeResponse, version, { mechanism });
const authenticate = (raw: RawSocket, authBytes: Buffer, version = 2) => ask(raw, SaslAuthenticateRequest, SaslAuthenticateResponse, version, { authBytes });
const metadata = (raw: RawSocket) => ask(raw, MetadataRequest, MetadataResponse, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });

/** A SCRAM login on `raw`; returns the last SaslAuthenticate answer. */
async function scramLogin(raw: RawSocket, password = PASSWORD, user = USER): Promise<Message> {
  assert.equal((await handshake(raw, 'SCRAM-SHA-512')).errorCode, ErrorCode.NONE);
  const scram = new ScramClient('SCRAM-SHA-512', user, password);
  const first = await authenticate(raw, scram.clientFirst());
  if (first.errorCode !== ErrorCode.NONE) return first;
  return authenticate(raw, await scram.clientFinal(first.authBytes));
}

function watchRequests(t: TestContext): RequestEvent[] {
  const seen: RequestEvent[] = [];
  const observe = (e: unknown) => seen.push(e as RequestEvent);
  requestChannel.subscribe(observe);
  t.after(() => requestChannel.unsubscribe(observe));
  return seen;
}

const port = (endpoint: string) => Number(endpoint.split(':')[1]);

test('a Produce before authentication closes the connection with its body unread; ApiVersions is answered first', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const seen = watchRequests(t);
  const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  assert.equal((await ask(raw, ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })).errorCode, ErrorCode.NONE);
  // A header the broker can read, and a body no codec could: it is never looked at.
  await raw.write(frameOf(headerV1(0, 9, 7), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01])));
  await raw.closedByPeer();
  assert.deepEqual(seen.filter((e) => e.listenerPort === port(endpoint('SASL_PLAINTEXT'))).map((e) => e.api), ['ApiVersions']);
  // The same Produce after a login is decoded (and answered).
  const again = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  assert.equal((await scramLogin(again)).errorCode, ErrorCode.NONE);
  await again.write(encodeRequest(ProduceRequest, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] }, 8));
  assert.ok(await again.nextFrame());
});

test('SCRAM: the right password logs in; a wrong password and an unknown user are refused and the connection closed', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const ok = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  const done = await scramLogin(ok);
  assert.equal(done.errorCode, ErrorCode.NONE);
  assert.match(done.authBytes.toString(), /^v=/);
  assert.equal((await metadata(ok)).brokers.length, 1);

  for (const [user, password] of [[USER, 'wrong'], ['mallory', PASSWORD]]) {
    const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
    const answer = await scramLogin(raw, password, user);
    assert.equal(answer.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.match(answer.errorMessage, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
    await raw.closedByPeer();
  }
});

test('SCRAM: a client-final replayed on a new connection is refused', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const first = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  await handshake(first, 'SCRAM-SHA-512');
  const scram = new ScramClient('SCRAM-SHA-512', USER, PASSWORD);
  const serverFirst = await authenticate(first, scram.clientFirst());
  const recorded = await scram.clientFinal(serverFirst.authBytes);
  assert.equal((await authenticate(first, recorded)).errorCode, ErrorCode.NONE);

  // An eavesdropper replays the same client-first and client-final: the server's nonce differs now.
  const replay = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  await handshake(replay, 'SCRAM-SHA-512');
  const challenge = await authenticate(replay, scram.clientFirst());
  assert.notEqual(challenge.authBytes.toString(), serverFirst.authBytes.toString());
  const refused = await authenticate(replay, recorded);
  assert.equal(refused.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  await replay.closedByPeer();
  // And on its own connection the exchange takes no second client-final.
  const twice = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  await handshake(twice, 'SCRAM-SHA-512');
  const again = new ScramClient('SCRAM-SHA-512', USER, PASSWORD);
  const final = await again.clientFinal((await authenticate(twice, again.clientFirst())).authBytes);
  assert.equal((await authenticate(twice, final)).errorCode, ErrorCode.NONE);
  assert.equal((await authenticate(twice, final)).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
});

test('PLAIN is refused on SASL_PLAINTEXT unless saslPlainAllowPlaintext', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  const refused = await handshake(raw, 'PLAIN');
  assert.equal(refused.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assert.deepEqual(refused.mechanisms, ['SCRAM-SHA-512', 'SCRAM-SHA-256']);
  await raw.closedByPeer();

  const allowed = await startSaslBroker(t, { saslPlainAllowPlaintext: true });
  const plain = await RawSocket.connect(t, port(allowed.endpoint('SASL_PLAINTEXT')));
  assert.equal((await handshake(plain, 'PLAIN')).errorCode, ErrorCode.NONE);
  assert.equal((await authenticate(plain, Buffer.from(`\0${USER}\0${PASSWORD}`))).errorCode, ErrorCode.NONE);
  assert.equal((await metadata(plain)).brokers.length, 1);
});

test('SaslHandshake v0: the tokens follow as raw frames, then requests are served', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  assert.equal((await handshake(raw, 'SCRAM-SHA-256', 0)).errorCode, ErrorCode.NONE);
  const scram = new ScramClient('SCRAM-SHA-256', USER, PASSWORD);
  await raw.write(frameOf(scram.clientFirst()));
  const serverFirst = await raw.nextFrame();
  assert.match(serverFirst.toString(), new RegExp(`^r=${scram.clientNonce.replace(/[+/]/g, '\\$&')}`));
  await raw.write(frameOf(await scram.clientFinal(serverFirst)));
  assert.match((await raw.nextFrame()).toString(), /^v=/);
  assert.equal((await metadata(raw)).brokers.length, 1);
});

test('connectionsMaxReauthMs: the session lifetime is told, a request after it lapses closes the connection, a re-authentication renews it', skipUnless(openssl), async (t) => {
  const clock = new FakeClock();
  const { endpoint } = await startSaslBroker(t, { connectionsMaxReauthMs: 60_000, clock });
  const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  assert.equal((await scramLogin(raw)).sessionLifetimeMs, 60_000);
  clock.advance(59_000);
  assert.equal((await metadata(raw)).brokers.length, 1);
  assert.equal((await scramLogin(raw)).errorCode, ErrorCode.NONE, 're-authentication');
  clock.advance(59_000);
  assert.equal((await metadata(raw)).brokers.length, 1, 'the renewed session still holds');
  clock.advance(2_000);
  await raw.write(encodeRequest(MetadataRequest, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 9));
  await raw.closedByPeer();
});

test('failed logins are counted in GET /metrics per listener and mechanism, logged at most once per interval, and a flood of them does not stop a good login', skipUnless(openssl), async (t) => {
  const warnings: { msg: string; principal?: string; client?: string; suppressedSinceLast?: number }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  // With its HTTP API open to anyone the broker would warn at start: it asks for the same users' logins.
  const { broker, endpoint } = await startSaslBroker(t, { httpPort: await freePort(), httpAuth: 'basic', logger });
  const login = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
  const api = { call: (method: string, path: string) => httpCall(`http://127.0.0.1:${broker.httpPort}`, method, path, undefined, login) };
  const flood = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const raw = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
      return scramLogin(raw, 'wrong');
    }),
  );
  assert.ok(flood.every((answer) => answer.errorCode === ErrorCode.SASL_AUTHENTICATION_FAILED));
  const good = await RawSocket.connect(t, port(endpoint('SASL_PLAINTEXT')));
  assert.equal((await scramLogin(good)).errorCode, ErrorCode.NONE);
  const metrics = await scrapeMetrics(api);
  assert.equal(metrics.value('sluice_authentication_failures_total', { listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-512' }), 20);
  // One warning names the principal and the client; the other 19 wait for the next interval.
  assert.deepEqual(
    warnings.map((w) => [w.msg, w.principal, w.client]),
    [['SASL authentication failed', `User:${USER}`, '127.0.0.1']],
  );
});

test('SaslHandshake and SaslAuthenticate on a listener without SASL answer ILLEGAL_SASL_STATE', skipUnless(openssl), async (t) => {
  const { broker } = await startSaslBroker(t);
  const raw = await RawSocket.connect(t, broker.port);
  assert.equal((await handshake(raw, 'SCRAM-SHA-512')).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal((await authenticate(raw, Buffer.from('n,,n=alice,r=x'))).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal((await metadata(raw)).brokers.length, 1);
});
