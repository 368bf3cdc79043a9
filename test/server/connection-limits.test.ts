// Connection limits: maxConnections, maxConnectionsPerIp (and its overrides per
// address), maxConnectionCreationRate and the connection_creation_rate quota of
// ip entities (KIP-612) close a connection past them at once and serve the
// others; connectionsMaxIdleMs closes a connection that stays silent; and a
// broker out of file descriptors warns and keeps serving. Other client
// addresses are other loopback addresses (127.0.0.2, ...).

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

/** A connection the broker serves: its ApiVersions is answered. */
async function servedConnection(t: { after(fn: () => void): void }, port: number, from?: string): Promise<RawSocket> {
  const raw = await RawSocket.connect(t, port, '127.0.0.1', from);
  await raw.write(encodeRequest(ApiVersionsRequest, 0, {}, 1));
  const { body } = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0);
  assert.equal(body.errorCode, ErrorCode.NONE);
  return raw;
}

async function refusedConnection(t: { after(fn: () => void): void }, port: number, from?: string): Promise<void> {
  const raw = await RawSocket.connect(t, port, '127.0.0.1', from);
  await raw.write(encodeRequest(ApiVersionsRequest, 0, {}, 1)).catch(() => {});
  await raw.closedByPeer();
}

/** Retries until a new connection is served (the broker has seen an old one close), or the deadline passes. */
async function eventuallyServed(t: { after(fn: () => void): void }, port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await servedConnection(t, port);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

test('maxConnections: a connection past the limit is closed at once, and a slot freed is taken again', async (t) => {
  const broker = await startInProcessBroker(t, { maxConnections: 3 });
  const open = [await servedConnection(t, broker.port), await servedConnection(t, broker.port), await servedConnection(t, broker.port)];
  await refusedConnection(t, broker.port);
  // The connections within the limit still answer.
  await open[2].write(encodeRequest(ApiVersionsRequest, 0, {}, 2));
  assert.equal(decodeResponse(await open[2].nextFrame(), ApiVersionsResponse, 0).correlationId, 2);
  open[0].socket.destroy();
  await eventuallyServed(t, broker.port);
});

test('maxConnectionsPerIp: a third connection from one address is closed when two are allowed', async (t) => {
  const broker = await startInProcessBroker(t, { maxConnectionsPerIp: 2 });
  await servedConnection(t, broker.port);
  const second = await servedConnection(t, broker.port);
  await refusedConnection(t, broker.port);
  second.socket.destroy();
  await eventuallyServed(t, broker.port);
});

test('maxConnectionsPerIpOverrides: an address given its own limit gets it, the others keep maxConnectionsPerIp', async (t) => {
  const broker = await startInProcessBroker(t, { maxConnectionsPerIp: 1, maxConnectionsPerIpOverrides: { '127.0.0.2': 3, '127.0.0.3': 0 } });
  await servedConnection(t, broker.port);
  await refusedConnection(t, broker.port);
  for (let i = 0; i < 3; i++) await servedConnection(t, broker.port, '127.0.0.2');
  await refusedConnection(t, broker.port, '127.0.0.2');
  await refusedConnection(t, broker.port, '127.0.0.3');
});

test('a connection_creation_rate quota on an ip refuses that address past its rate, not the others', async (t) => {
  // Windows of 2 × 1 s: a rate of 1 per second lets one connection through at once, not two.
  const broker = await startInProcessBroker(t, { quotaWindowNum: 2, quotaWindowSizeSeconds: 1 });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).alterClientQuotas([{ entity: { ip: '127.0.0.2' }, set: { connection_creation_rate: 1 } }]);
  await servedConnection(t, broker.port, '127.0.0.2');
  await refusedConnection(t, broker.port, '127.0.0.2');
  for (let i = 0; i < 3; i++) await servedConnection(t, broker.port, '127.0.0.3');
  // The default ip's quota covers every address without one of its own.
  await new Admin(client).alterClientQuotas([{ entity: { ip: null }, set: { connection_creation_rate: 1 } }]);
  await servedConnection(t, broker.port, '127.0.0.4');
  await refusedConnection(t, broker.port, '127.0.0.4');
});

test('maxConnectionCreationRate: past the broker-wide rate a new connection is closed at once', async (t) => {
  const broker = await startInProcessBroker(t, { quotaWindowNum: 2, quotaWindowSizeSeconds: 1, maxConnectionCreationRate: 2 });
  await servedConnection(t, broker.port);
  await servedConnection(t, broker.port, '127.0.0.2');
  await refusedConnection(t, broker.port, '127.0.0.3');
});

test('connectionsMaxIdleMs: a connection with no traffic is closed after the idle time, not before', async (t) => {
  const IDLE_MS = 300;
  const broker = await startInProcessBroker(t, { connectionsMaxIdleMs: IDLE_MS });
  const raw = await servedConnection(t, broker.port);
  const lastTraffic = Date.now();
  await raw.closedByPeer(IDLE_MS + 5000);
  const idle = Date.now() - lastTraffic;
  assert.ok(idle >= IDLE_MS - 20, `closed after ${idle} ms of silence, before the ${IDLE_MS} ms idle time`);
});

// The limit leaves room for the broker to load its modules: the ESM loader opens many files at
// once (at 128 a start now fails with EMFILE in the loader; 160 is enough).
const OPEN_FILES_LIMIT = 256;

test('a broker out of file descriptors warns that connections are refused, and serves again once they close', async (t) => {
  const broker = await spawnBroker(t, { dataDir: await makeDataDir(t), openFilesLimit: OPEN_FILES_LIMIT });
  const flood: net.Socket[] = [];
  t.after(() => flood.forEach((s) => s.destroy()));
  const WARNING = 'open files near the limit';
  const deadline = Date.now() + 10_000;
  while (!broker.recentOutput().includes(WARNING)) {
    assert.ok(Date.now() < deadline, `no warning after ${flood.length} connections:\n${broker.recentOutput()}`);
    const s = net.connect(broker.port, '127.0.0.1');
    s.on('error', () => {});
    flood.push(s);
    await new Promise((resolve) => s.once('connect', resolve).once('close', resolve));
  }
  assert.match(broker.recentOutput(), new RegExp(`"limit":${OPEN_FILES_LIMIT}`));
  flood.forEach((s) => s.destroy());
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  const md = await client.metadata(null);
  assert.deepEqual(md.brokers.map((b) => b.port), [broker.port], 'the broker is up and answers a fresh client');
});
