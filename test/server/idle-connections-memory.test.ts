// 10,000 idle client connections cost the broker a bounded amount of memory
// and do not stop it from serving: a broker in a child process (so its
// resident memory is its own, read from /proc) holds 10,000 connections that
// sent nothing, answers a fresh client meanwhile, and lets them all go.

import assert from 'node:assert/strict';
import net from 'node:net';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { vmRssKiB } from '../fuzz/fuzz-run.js';

const CONNECTIONS = 10_000;
/** Opened this many at a time, so the listen backlog never overflows. */
const WAVE = 500;
/** What the broker may grow by for all of them: about 10 KiB each (measured: about 5 KiB). */
const GROWTH_BOUND_KIB = 100 * 1024;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A new client's Metadata request for topic `idle` is answered without error. */
async function assertServed(t: TestContext, bootstrap: string): Promise<void> {
  const fresh = new KafkaClient({ bootstrap, clientId: 'idle-fresh' });
  defer(t, () => fresh.close());
  const md = await fresh.metadata(['idle']);
  assert.equal(md.topics[0].errorCode, 0);
}

test('10,000 idle connections grow the broker by less than 100 MiB and a fresh client is still served', async (t) => {
  const dataDir = await makeDataDir(t);
  const broker = await spawnBroker(t, { dataDir, args: ['--max-connections', String(CONNECTIONS + 10)] });
  const client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'idle-check' });
  defer(t, () => client.close());
  await new Admin(client).createTopic('idle', 1);
  const before = vmRssKiB(broker.pid);

  const sockets: net.Socket[] = [];
  defer(t, () => sockets.forEach((s) => s.destroy()));
  while (sockets.length < CONNECTIONS) {
    const wave = Math.min(WAVE, CONNECTIONS - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: wave }, () => connect(broker.port)))));
  }
  // The broker accepts in arrival order: once a connection opened after them all is
  // answered, it has accepted every one.
  await assertServed(t, broker.bootstrap);
  const grown = vmRssKiB(broker.pid) - before;
  assert.ok(grown < GROWTH_BOUND_KIB, `${CONNECTIONS} idle connections grew the broker by ${(grown / 1024).toFixed(1)} MiB`);
  t.diagnostic(`${CONNECTIONS} idle connections: broker VmRSS +${(grown / 1024).toFixed(1)} MiB`);
  assert.ok(sockets.every((s) => !s.destroyed), 'every idle connection is still open');

  for (const s of sockets) s.destroy();
  await assertServed(t, broker.bootstrap);
});
