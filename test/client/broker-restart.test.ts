// A KafkaClient outlives a broker restart on the same port: the connections
// the stopped broker closed leave the pool, requests while it is down reject
// (SLUICE_ERR_CONNECTION), and once it is back the same client object,
// producer included, works again without being recreated.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { makeDataDir } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

test('the same KafkaClient works again after its broker restarts on the same port', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-client-restart-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const client = new KafkaClient({ bootstrap: first.bootstrap, requestTimeoutMs: 10_000 });
  t.after(() => client.close());
  const producer = new Producer(client, { acks: 1 });
  await new Admin(client).createTopic('restart', 1);
  const before = await producer.send('restart', { value: Buffer.from('before') });
  assert.deepEqual([before.partition, before.offset], [0, 0]);

  await first.close();
  await assert.rejects(client.topic('restart'), (err: { code?: string }) => err.code === 'SLUICE_ERR_CONNECTION');

  await startRestartableBroker(t, dataDir, first.port);
  assert.equal((await client.topic('restart')).partitions.length, 1);
  const after = await producer.send('restart', { value: Buffer.from('after') });
  assert.deepEqual([after.partition, after.offset], [0, 1]);
});
