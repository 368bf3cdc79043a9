// Producer ids in a cluster: blocks come from one counter in etcd, so brokers
// never hand out the same id, also when they ask at once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../src/broker/producer-ids.js';
import { EtcdControlPlane } from '../../src/cluster/etcd-control-plane.js';
import { resolveConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';

describe('producer ids across brokers', skipUnless(etcdServer), () => {
  test('two brokers asking at once, across several blocks, never get the same id', async (t) => {
    const etcd = await startEtcd(t, 1);
    const managers: ProducerIdManager[] = [];
    for (const nodeId of [1, 2]) {
      const config = resolveConfig({ nodeId, etcd: etcd.endpoints(), etcdPrefix: '/pids', brokerLeaseTtlMs: 2000 });
      const plane = await EtcdControlPlane.open(config, { nodeId, host: '127.0.0.1', port: 1, rack: null, replicationHost: '127.0.0.1', replicationPort: 1 }, silentLogger());
      t.after(() => plane.close());
      managers.push(new ProducerIdManager({ reserve: (size) => plane.reserveProducerIds(size) }));
    }
    const perBroker = 2 * PRODUCER_ID_BLOCK_SIZE + 10;
    const ids = await Promise.all(managers.flatMap((m) => Array.from({ length: perBroker }, () => m.nextId())));
    assert.equal(new Set(ids).size, ids.length, 'every id given once');
    // Each broker reserved three blocks, one reservation per block although many ids were asked for at once.
    const client = new Etcd3({ hosts: etcd.endpoints() });
    t.after(() => client.close());
    assert.equal(await client.get('/pids/producer-ids').string(), String(6 * PRODUCER_ID_BLOCK_SIZE));
  });
});
