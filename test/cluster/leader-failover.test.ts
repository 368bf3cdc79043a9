// Three brokers over three etcd members. kafkajs (idempotent) and kcat produce
// with acks=all to a topic of replication factor 3 and min.insync.replicas 2
// while the test kills the leader of partition 0 with kill -9: every record
// either producer was told is written is read back after a new leader took
// over, once, in order per partition. The time from the kill to the first
// acknowledged write on the new leader is printed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { readPartitions } from '../helpers/partition-reader.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';

const { Kafka, logLevel } = kafkajs;

const TOPIC = 'orders';
const PARTITIONS = [0, 1, 2];
const LEASE_TTL_MS = 3000;

test('acks=all writes survive kill -9 of the partition leader (kafkajs and kcat)', skipUnless(etcdServer, kcat), async (t) => {
  const etcdCluster = await startEtcd(t, 3);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--broker-lease-ttl-ms', String(LEASE_TTL_MS)] });
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'failover-test' });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, { partitions: PARTITIONS.length, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  await cluster.waitUntil('every partition led and fully in sync', (d) => {
    const ps = d.partitions.filter((p) => p.topic === TOPIC);
    return ps.length === PARTITIONS.length && ps.every((p) => p.leader > 0 && p.isr.length === 3);
  });

  // kafkajs: one record per partition per round, each partition in a send of its own: a send
  // spanning brokers is not retried for a partition whose new leader already answered the
  // send for another partition (kafkajs' sendMessages keeps one answer per broker).
  const kafka = new Kafka({ clientId: 'failover-kafkajs', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const acked = new Map<number, number[]>(PARTITIONS.map((p) => [p, []]));
  const ackTimes: number[] = [];
  let producing = true;
  const kafkajsLoop = (async () => {
    for (let round = 0; producing; round++) {
      await Promise.all(
        PARTITIONS.map(async (partition) => {
          try {
            await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition, value: `kafkajs-${round}` }] });
          } catch {
            return; // Not acknowledged: the record may or may not be there, and that is allowed.
          }
          acked.get(partition)!.push(round);
          if (partition === 0) ackTimes.push(Date.now());
        }),
      );
    }
  })();

  // kcat: lines fed a few at a time over the whole run, so that some are in flight at the kill.
  const kcatProducer = spawn(
    KCAT,
    ['-P', '-b', cluster.bootstrap, '-t', TOPIC, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'message.timeout.ms=60000', '-X', 'linger.ms=5'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let kcatErrors = '';
  kcatProducer.stderr!.on('data', (chunk) => (kcatErrors += chunk));
  const kcatExit = new Promise<number | null>((resolve) => kcatProducer.on('exit', (code) => resolve(code)));
  let kcatLines = 0;
  const feed = setInterval(() => {
    for (let i = 0; i < 20; i++) kcatProducer.stdin!.write(`kcat-${kcatLines++}\n`);
  }, 20);

  await waitFor('records acknowledged before the kill', () => acked.get(0)!.length >= 50, 30_000);
  const before = await cluster.describe();
  const victim = before.partitions.find((p) => p.topic === TOPIC && p.partition === 0)!.leader;
  const killedAt = Date.now();
  await cluster.broker(victim).kill9();
  const after = await cluster.waitUntil('a new leader for partition 0', (d) => {
    const p = d.partitions.find((x) => x.topic === TOPIC && x.partition === 0);
    return p !== undefined && p.leader > 0 && p.leader !== victim;
  });
  await waitFor('an acknowledged write after the kill', () => ackTimes.some((at) => at > killedAt), 30_000);
  const failoverMs = ackTimes.find((at) => at > killedAt)! - killedAt;
  t.diagnostic(`failover: ${failoverMs} ms from kill -9 of broker ${victim} to the first acknowledged write (lease TTL ${LEASE_TTL_MS} ms); new leader ${after.partitions.find((x) => x.topic === TOPIC && x.partition === 0)!.leader}`);
  const ackedAtKill = acked.get(0)!.length;
  await waitFor('more writes acknowledged by the new leader', () => acked.get(0)!.length >= ackedAtKill + 50, 30_000);

  producing = false;
  clearInterval(feed);
  await kafkajsLoop;
  kcatProducer.stdin!.end();
  assert.equal(await kcatExit, 0, kcatErrors);
  // Connection errors to the killed broker are expected; a record kcat gave up on is not.
  assert.doesNotMatch(kcatErrors, /Delivery failed/, 'kcat reports every line delivered');

  const read = await readPartitions(client, TOPIC, PARTITIONS);
  const kcatSeen: number[] = [];
  for (const p of PARTITIONS) {
    const values = read.get(p)!.map((r) => r.value!.toString());
    const rounds = values.filter((v) => v.startsWith('kafkajs-')).map((v) => Number(v.slice(8)));
    assert.deepEqual(rounds, [...new Set(rounds)].sort((a, b) => a - b), `partition ${p}: kafkajs records once each, in order`);
    const present = new Set(rounds);
    const lost = acked.get(p)!.filter((round) => !present.has(round));
    assert.deepEqual(lost, [], `partition ${p}: every acknowledged kafkajs record is there`);
    const lines = values.filter((v) => v.startsWith('kcat-')).map((v) => Number(v.slice(5)));
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b), `partition ${p}: kcat lines in order`);
    kcatSeen.push(...lines);
  }
  assert.equal(kcatSeen.length, kcatLines, 'every kcat line once');
  assert.equal(new Set(kcatSeen).size, kcatLines);
});
