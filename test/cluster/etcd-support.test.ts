// The etcd members tests start: healthy when returned, a leader among three,
// a killed leader replaced by another member.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { skipUnless } from '../helpers/interop-tools.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';

describe('test etcd members', skipUnless(etcdServer), () => {
  test('one member serves reads and writes once started', async (t) => {
    const etcd = await startEtcd(t, 1);
    const client = new Etcd3({ hosts: etcd.endpoints() });
    t.after(() => client.close());
    await client.put('k').value('v');
    assert.equal(await client.get('k').string(), 'v');
  });

  test('three members elect a new leader when the leader is killed', async (t) => {
    const etcd = await startEtcd(t, 3);
    const first = await etcd.leader();
    await etcd.kill(first);
    assert.deepEqual(etcd.endpoints().length, 2);
    const second = await etcd.leader();
    assert.notEqual(second.name, first.name);
  });
});
