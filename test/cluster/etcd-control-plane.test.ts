// EtcdControlPlane against a real etcd: brokers 1, 2, 3 as three planes in
// this process, each with its own etcd client, watch and lease.

import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { AclStore } from '../../src/broker/acl/acl-store.js';
import { type ControlPlane, type RecordChange, TopicExistsError, type TopicMetadata } from '../../src/cluster/control-plane.js';
import { EtcdControlPlane, type EtcdControlPlaneOptions } from '../../src/cluster/etcd-control-plane.js';
import { resolveConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { Etcd3 } from 'etcd3';
import { FakeClock } from '../helpers/fake-clock.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { CLUSTER_WAIT_MS, untilCluster } from '../helpers/cluster-wait.js';
import { type EtcdCluster, etcdServer, startEtcd } from '../helpers/etcd.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const TTL_MS = 2000;

async function openPlane(t: TestContext, etcd: EtcdCluster, nodeId: number, options: EtcdControlPlaneOptions & { rack?: string } = {}): Promise<EtcdControlPlane> {
  const config = resolveConfig({ nodeId, etcd: etcd.endpoints(), etcdPrefix: '/test', brokerLeaseTtlMs: TTL_MS });
  const self = { nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: options.rack ?? null, replicationHost: '127.0.0.1', replicationPort: 9100 + nodeId };
  const plane = await EtcdControlPlane.open(config, self, silentLogger(), options);
  t.after(() => plane.close());
  return plane;
}

/** Polls `holds()` until true; fails after CLUSTER_WAIT_MS. For state no watch event marks. */
async function eventually(holds: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + CLUSTER_WAIT_MS;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`not within ${CLUSTER_WAIT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ids = (plane: ControlPlane) => plane.brokers().map((b) => b.nodeId);
const partition = (plane: ControlPlane, topic: string, index = 0) => plane.topic(topic)?.partitions[index];

async function threeBrokers(t: TestContext, etcd: EtcdCluster): Promise<EtcdControlPlane[]> {
  const planes = [await openPlane(t, etcd, 1), await openPlane(t, etcd, 2), await openPlane(t, etcd, 3)];
  for (const plane of planes) await untilCluster(plane, () => ids(plane).length === 3 && plane.controllerId !== -1, `broker ${plane.nodeId} sees 3 brokers and a controller`);
  return planes;
}

describe('EtcdControlPlane', skipUnless(etcdServer), () => {
  test('registrations, the controller and a new topic are seen alike by every broker', async (t) => {
    const etcd = await startEtcd(t, 1);
    const planes = await threeBrokers(t, etcd);
    for (const plane of planes) {
      assert.deepEqual(ids(plane), [1, 2, 3]);
      assert.equal(plane.controllerId, planes[0].controllerId);
      assert.equal(plane.clusterId, planes[0].clusterId);
      assert.equal(plane.registered(), true);
    }
    assert.equal(planes[2].brokers()[0].replicationPort, 9101);

    const created = await planes[0].createTopic('orders', 6, { 'min.insync.replicas': '2' }, { replicationFactor: 3, assignments: null });
    assert.deepEqual(planes[0].topic('orders'), created, 'the creator reads what it wrote at once');
    for (const p of created.partitions) {
      assert.equal(new Set(p.replicas).size, 3);
      assert.deepEqual({ leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, partitionEpoch: p.partitionEpoch }, { leader: p.replicas[0], leaderEpoch: 0, isr: p.replicas, partitionEpoch: 0 });
    }
    assert.deepEqual(new Set(created.partitions.map((p) => p.leader)), new Set([1, 2, 3]), 'leaders spread over the brokers');
    for (const plane of planes.slice(1)) {
      await untilCluster(plane, () => plane.topic('orders') !== undefined, `broker ${plane.nodeId} sees the topic`);
      const seen = plane.topic('orders') as TopicMetadata;
      assert.deepEqual(seen, created);
      assert.deepEqual(plane.topicById(created.topicId)?.name, 'orders');
    }

    await planes[1].createPartitions('orders', 8);
    await planes[1].setTopicConfigs('orders', { 'retention.ms': '1000' });
    await planes[2].setBrokerConfigs('', { 'log.retention.ms': '5000' });
    await planes[2].setGroupConfigs('g/1', { 'consumer.session.timeout.ms': '50000' });
    await untilCluster(planes[0], () => planes[0].groupConfigs('g/1')['consumer.session.timeout.ms'] === '50000', 'broker 1 sees the group config');
    assert.equal(planes[0].topic('orders')?.partitions.length, 8);
    assert.deepEqual(planes[0].topic('orders')?.partitions[7].replicas.length, 3);
    assert.deepEqual(planes[0].topic('orders')?.configs, { 'retention.ms': '1000' });
    assert.deepEqual(planes[0].brokerConfigs(''), { 'log.retention.ms': '5000' });

    await planes[0].deleteTopic('orders');
    await untilCluster(planes[2], () => planes[2].topic('orders') === undefined, 'broker 3 sees the topic deleted');
    assert.equal(planes[2].topicById(created.topicId), undefined);
  });

  test('alterIsr applies only on the epochs it names, and only from the leader', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [one, two] = await threeBrokers(t, etcd);
    await one.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[1, 2, 3]] });
    assert.equal(await one.alterIsr('t', 0, 1, 0, [1, 2]), null, 'stale leader epoch');
    assert.equal(await one.alterIsr('t', 0, 0, 1, [1, 2]), null, 'stale partition epoch');
    await untilCluster(two, () => two.topic('t') !== undefined, 'broker 2 sees the topic');
    assert.equal(await two.alterIsr('t', 0, 0, 0, [2]), null, 'not the leader');
    assert.deepEqual(partition(one, 't')?.isr, [1, 2, 3], 'nothing changed');

    const shrunk = await one.alterIsr('t', 0, 0, 0, [1, 2]);
    assert.deepEqual(shrunk, { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2], partitionEpoch: 1 });
    assert.deepEqual(partition(one, 't'), shrunk);
    assert.equal(await one.alterIsr('t', 0, 0, 0, [1]), null, 'the epoch just used is stale now');
    await untilCluster(two, () => partition(two, 't')?.partitionEpoch === 1, 'broker 2 sees the new ISR');
    assert.deepEqual(partition(two, 't'), shrunk);
  });

  test('a broker that stops renewing its lease is dropped after the TTL and its leaderships move', async (t) => {
    const etcd = await startEtcd(t, 1);
    const planes = await threeBrokers(t, etcd);
    const controller = planes.find((p) => p.nodeId === planes[0].controllerId) as EtcdControlPlane;
    const [victim, witness] = planes.filter((p) => p !== controller);
    await controller.createTopic('t', 2, {}, { replicationFactor: -1, assignments: [[victim.nodeId, witness.nodeId, controller.nodeId], [controller.nodeId, victim.nodeId]] });
    const stoppedAt = Date.now();
    victim.stopRenewing();
    await untilCluster(witness, () => !ids(witness).includes(victim.nodeId), 'the victim leaves the broker list');
    const gone = Date.now() - stoppedAt;
    // The last keepalive went out at most a third of the TTL before renewals stopped.
    assert.ok(gone >= TTL_MS - TTL_MS / 3 - 100, `dropped after ${gone} ms, not before the lease could lapse`);
    await untilCluster(witness, () => partition(witness, 't', 0)?.leader === witness.nodeId && partition(witness, 't', 1)?.isr.length === 1, 'leadership and ISRs move');
    t.diagnostic(`broker dropped ${gone} ms and its leadership moved ${Date.now() - stoppedAt} ms after its renewals stopped (lease TTL ${TTL_MS} ms)`);
    assert.deepEqual(partition(witness, 't', 0), { partition: 0, leader: witness.nodeId, leaderEpoch: 1, replicas: [victim.nodeId, witness.nodeId, controller.nodeId], isr: [witness.nodeId, controller.nodeId], partitionEpoch: 1 });
    assert.deepEqual(partition(witness, 't', 1), { partition: 1, leader: controller.nodeId, leaderEpoch: 0, replicas: [controller.nodeId, victim.nodeId], isr: [controller.nodeId], partitionEpoch: 1 });
  });

  test('when the controller stops, another broker becomes controller and moves the leaderships it held', async (t) => {
    const etcd = await startEtcd(t, 1);
    const planes = await threeBrokers(t, etcd);
    const old = planes.find((p) => p.nodeId === planes[0].controllerId) as EtcdControlPlane;
    const rest = planes.filter((p) => p !== old);
    await old.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[old.nodeId, rest[1].nodeId, rest[0].nodeId]] });
    await old.close();
    for (const plane of rest) {
      await untilCluster(plane, () => plane.controllerId !== -1 && plane.controllerId !== old.nodeId, `broker ${plane.nodeId} sees a new controller`);
    }
    assert.equal(rest[0].controllerId, rest[1].controllerId);
    await untilCluster(rest[0], () => partition(rest[0], 't')?.leader === rest[1].nodeId, 'the first live ISR member in replica order leads');
    assert.deepEqual(partition(rest[0], 't'), { partition: 0, leader: rest[1].nodeId, leaderEpoch: 1, replicas: [old.nodeId, rest[1].nodeId, rest[0].nodeId], isr: [rest[1].nodeId, rest[0].nodeId], partitionEpoch: 1 });
  });

  test('the last ISR member leads its offline partition again when it comes back', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [one, , three] = await threeBrokers(t, etcd);
    await one.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[3, 2]] });
    await untilCluster(three, () => three.topic('t') !== undefined, 'broker 3 sees the topic');
    assert.deepEqual((await three.alterIsr('t', 0, 0, 0, [3]))?.isr, [3]);
    await three.close();
    await untilCluster(one, () => partition(one, 't')?.leader === -1, 'the partition goes offline');
    assert.deepEqual(partition(one, 't'), { partition: 0, leader: -1, leaderEpoch: 1, replicas: [3, 2], isr: [3], partitionEpoch: 2 });
    await openPlane(t, etcd, 3);
    await untilCluster(one, () => partition(one, 't')?.leader === 3, 'broker 3 leads again');
    assert.deepEqual(partition(one, 't'), { partition: 0, leader: 3, leaderEpoch: 2, replicas: [3, 2], isr: [3], partitionEpoch: 3 });
  });

  test('a broker whose lease lapsed registers again with a new lease and comes back out of the ISRs', async (t) => {
    const etcd = await startEtcd(t, 1);
    const timers = new FakeClock();
    const one = await openPlane(t, etcd, 1);
    const two = await openPlane(t, etcd, 2, { clock: timers });
    await untilCluster(one, () => ids(one).length === 2 && one.controllerId !== -1, 'both brokers and a controller');
    await one.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[1, 2]] });
    // Broker 2's renewals are held back (as in a long pause) until etcd drops it.
    await untilCluster(one, () => !ids(one).includes(2) && partition(one, 't')?.isr.length === 1, 'broker 2 dropped and out of the ISR');
    assert.equal(two.registered(), false);
    timers.advance(TTL_MS);
    await untilCluster(one, () => ids(one).includes(2), 'broker 2 registered again');
    // Its own registration is known when etcd answers the write, which may come after the watch event.
    await eventually(() => two.registered(), 'broker 2 knows it is registered again');
    assert.deepEqual(partition(one, 't'), { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1], partitionEpoch: 1 });
  });

  test('resign hands the leaderships over and leaves the ISRs, except where no other ISR member is live', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [one, two] = await threeBrokers(t, etcd);
    await two.createTopic('t', 3, {}, { replicationFactor: -1, assignments: [[1, 2, 3], [2, 1], [1]] });
    await untilCluster(one, () => one.topic('t') !== undefined, 'broker 1 sees the topic');
    await one.resign();
    assert.deepEqual(partition(one, 't', 0), { partition: 0, leader: 2, leaderEpoch: 1, replicas: [1, 2, 3], isr: [2, 3], partitionEpoch: 1 });
    assert.deepEqual(partition(one, 't', 1), { partition: 1, leader: 2, leaderEpoch: 0, replicas: [2, 1], isr: [2], partitionEpoch: 1 });
    assert.deepEqual(partition(one, 't', 2), { partition: 2, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], partitionEpoch: 0 });
  });

  test('electLeaders: preferred leaders back after a failover, unclean election for an offline partition', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [one, two, three] = await threeBrokers(t, etcd);
    await one.createTopic('t', 2, {}, { replicationFactor: -1, assignments: [[3, 1, 2], [2, 1]] });
    await untilCluster(three, () => three.topic('t') !== undefined, 'broker 3 sees the topic');
    await three.resign();
    await untilCluster(one, () => partition(one, 't', 0)?.leader === 1, 'broker 1 leads partition 0 after broker 3 resigned');
    // Back in sync (as its leader would report), broker 3 may lead again.
    assert.ok(await one.alterIsr('t', 0, 1, 1, [1, 2, 3]));
    assert.deepEqual(await two.electLeaders('preferred', null), [{ topic: 't', partition: 0, outcome: 'elected' }], 'only partitions not led by their preferred replica');
    assert.deepEqual(partition(two, 't', 0), { partition: 0, leader: 3, leaderEpoch: 2, replicas: [3, 1, 2], isr: [1, 2, 3], partitionEpoch: 3 });
    assert.deepEqual(await two.electLeaders('preferred', [{ topic: 't', partition: 1 }, { topic: 't', partition: 9 }, { topic: 'nope', partition: 0 }]), [
      { topic: 't', partition: 1, outcome: 'not-needed' },
      { topic: 't', partition: 9, outcome: 'unknown-partition' },
      { topic: 'nope', partition: 0, outcome: 'unknown-partition' },
    ]);

    // Partition 1's ISR shrinks to its leader, which then goes: offline, until an unclean election.
    assert.ok(await two.alterIsr('t', 1, 0, 0, [2]));
    await two.close();
    await untilCluster(one, () => partition(one, 't', 1)?.leader === -1, 'partition 1 offline');
    assert.deepEqual(await one.electLeaders('unclean', [{ topic: 't', partition: 1 }]), [{ topic: 't', partition: 1, outcome: 'elected' }]);
    assert.deepEqual(partition(one, 't', 1), { partition: 1, leader: 1, leaderEpoch: 2, replicas: [2, 1], isr: [1], partitionEpoch: 3 });
  });

  test('a watch whose revision was compacted away while cut off is replaced by loading the state again', async (t) => {
    const etcd = await startEtcd(t, 1);
    const url = new URL(etcd.endpoints()[0]);
    const proxy = await startTcpProxy(t, url.hostname, Number(url.port));
    const one = await openPlane(t, etcd, 1);
    const config = resolveConfig({ nodeId: 2, etcd: [`http://${proxy.address}`], etcdPrefix: '/test', brokerLeaseTtlMs: 6000 });
    const two = await EtcdControlPlane.open(config, { nodeId: 2, host: '127.0.0.1', port: 9002, rack: null, replicationHost: '127.0.0.1', replicationPort: 9102 }, silentLogger());
    t.after(() => two.close());
    await one.createTopic('kept', 1, {});
    await one.createTopic('dropped', 1, {});
    await untilCluster(two, () => two.topic('dropped') !== undefined, 'broker 2 sees both topics');

    proxy.cut();
    await one.deleteTopic('dropped');
    await one.createTopic('added', 1, {});
    const client = new Etcd3({ hosts: etcd.endpoints() });
    t.after(() => client.close());
    const { header } = await client.get('/test/cluster-id').exec();
    await client.kv.compact({ revision: header.revision, physical: true });
    proxy.restore();

    await untilCluster(two, () => two.topic('added') !== undefined && two.topic('dropped') === undefined, 'broker 2 loads the state again');
    assert.deepEqual(two.topics().map((topic) => topic.name).sort(), ['added', 'kept']);
    assert.deepEqual(two.topic('added'), one.topic('added'));
    await one.createTopic('later', 1, {});
    await untilCluster(two, () => two.topic('later') !== undefined, 'broker 2 watches again after loading');
  });

  test('registered() turns false as soon as a TTL has passed since the last confirmed keepalive', async (t) => {
    const etcd = await startEtcd(t, 1);
    let now = 0;
    const plane = await openPlane(t, etcd, 1, { monotonicNow: () => now });
    assert.equal(plane.registered(), true);
    now += TTL_MS - 1;
    assert.equal(plane.registered(), true);
    // As a process resumed after SIGSTOP: nothing has run since, and the answer is already false.
    now += 1;
    assert.equal(plane.registered(), false);
  });

  test('shared records: one key each (ids of any text), the last change of an id standing, read by every broker; the writer has applied them when the write resolves', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [one, two] = [await openPlane(t, etcd, 1), await openPlane(t, etcd, 2)];
    const seenByOne: RecordChange[] = [];
    one.onRecords('acls', (changes) => seenByOne.push(...changes));
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `user/${i} x`, value: String(i) }));
    await one.writeRecords('acls', [...many, { id: 'user/0 x', value: 'last' }, { id: 'gone', value: '1' }, { id: 'gone', value: null }]);
    assert.equal(seenByOne.length, 150, 'applied before the write resolved, beyond one transaction');
    const byId = (records: RecordChange[]) => new Map(records.map((r) => [r.id, r.value]));
    const expected = byId([{ id: 'user/0 x', value: 'last' }, ...many.slice(1)]);
    assert.deepEqual(byId(one.records('acls')), expected);
    assert.deepEqual(one.records('client-quotas'), [], 'kinds are apart');
    await untilCluster(two, () => two.records('acls').length === 150, 'broker 2 reads them');
    assert.deepEqual(byId(two.records('acls')), expected);

    await two.writeRecords('acls', [{ id: 'user/1 x', value: null }]);
    await untilCluster(one, () => one.records('acls').length === 149, 'broker 1 sees the removal');
    assert.deepEqual(seenByOne.at(-1), { id: 'user/1 x', value: null });
  });

  test('a record a store cannot decode is reported and left out', async (t) => {
    const etcd = await startEtcd(t, 1);
    const plane = await openPlane(t, etcd, 1);
    const bad: string[] = [];
    const acls = AclStore.shared(plane, (kind, id) => bad.push(`${kind} ${id}`));
    await plane.writeRecords('acls', [{ id: 'not a binding', value: '{}' }]);
    assert.deepEqual(bad, ['acls not a binding']);
    assert.equal(acls.size, 0);
  });

  test('a second broker with a live broker id is refused', async (t) => {
    const etcd = await startEtcd(t, 1);
    await openPlane(t, etcd, 1);
    await assert.rejects(openPlane(t, etcd, 1), { code: 'SLUICE_ERR_BROKER_ID_TAKEN' });
  });

  test('brokers creating one topic name at once: one creates it, the others are told it exists, and every partition is the creator’s', async (t) => {
    const etcd = await startEtcd(t, 1);
    const planes = await threeBrokers(t, etcd);
    for (let round = 0; round < 10; round++) {
      const name = `race-${round}`;
      // Each broker asks for another shape: partitions 3, 4, 5 with 1, 2, 3 replicas each.
      const attempts = await Promise.allSettled(planes.map((plane, i) => plane.createTopic(name, 3 + i, {}, { replicationFactor: 1 + i, assignments: null })));
      const won = attempts.flatMap((a, i) => (a.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1, `one creation of ${name} succeeds: ${attempts.map((a) => a.status).join(', ')}`);
      for (const a of attempts) if (a.status === 'rejected') assert.ok(a.reason instanceof TopicExistsError, `a loser is told the name is taken: ${a.reason}`);
      const winner = won[0];
      for (const plane of planes) {
        await untilCluster(plane, () => plane.topic(name) !== undefined, `broker ${plane.nodeId} sees ${name}`);
        const topic = plane.topic(name) as TopicMetadata;
        assert.equal(topic.partitions.length, 3 + winner);
        assert.deepEqual(topic.partitions.map((p) => p.replicas.length), topic.partitions.map(() => 1 + winner), `every partition of ${name} has the creator's replication factor`);
      }
    }
  });

  test('a creation claim whose broker is gone frees the name when its lease lapses', async (t) => {
    const etcd = await startEtcd(t, 1);
    const [plane] = await threeBrokers(t, etcd);
    const client = new Etcd3({ hosts: etcd.endpoints() });
    t.after(() => client.close());
    // What a broker that died while creating "orders" leaves: its claim, under its lease.
    const lease = client.lease(1, { autoKeepAlive: false });
    await lease.put('/test/topic-creations/orders').value('9');
    await assert.rejects(plane.createTopic('orders', 1, {}), TopicExistsError);
    const deadline = Date.now() + CLUSTER_WAIT_MS;
    for (;;) {
      const attempt = await plane.createTopic('orders', 1, {}).then(() => null, (err: unknown) => err);
      if (attempt === null) break;
      assert.ok(attempt instanceof TopicExistsError, String(attempt));
      assert.ok(Date.now() < deadline, 'the claim lapses with its lease');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(plane.topic('orders')?.partitions.length, 1);
  });

  test('with three etcd members, reads and compare-and-swap go on after the etcd leader is killed', async (t) => {
    const etcd = await startEtcd(t, 3);
    const [one, two] = await threeBrokers(t, etcd);
    await one.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[1, 2, 3]] });
    await etcd.kill(await etcd.leader());
    await etcd.leader();
    const shrunk = await one.alterIsr('t', 0, 0, 0, [1, 2]);
    assert.equal(shrunk?.partitionEpoch, 1);
    assert.equal(await one.alterIsr('t', 0, 0, 0, [1]), null, 'a stale compare-and-swap still fails');
    await untilCluster(two, () => partition(two, 't')?.partitionEpoch === 1, 'broker 2 sees the change through its watch');
    await two.createTopic('after', 1, {});
    await untilCluster(one, () => one.topic('after') !== undefined, 'broker 1 sees a topic created after the election');
  });
});
