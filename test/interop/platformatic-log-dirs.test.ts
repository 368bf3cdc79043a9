// @platformatic/kafka's admin describeLogDirs (DescribeLogDirs v4) against
// one broker: the data directory, each asked partition's size as the segment
// files on disk add up, no offset lag once everything is committed, the
// volume's size, and partitions the broker does not hold left out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, ProduceAcks, Producer } from '@platformatic/kafka';
import { segmentFiles } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';

test('platformatic describeLogDirs: partition sizes as on disk, no lag, the volume, unknown partitions left out', async (t) => {
  const broker = await startInProcessBroker(t);
  const options = { clientId: 'sluice-log-dirs', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 };
  const admin = new Admin(options);
  const producer = new Producer(options);
  t.after(() => Promise.all([admin.close(), producer.close()]));
  await admin.createTopics({ topics: ['orders'], partitions: 2, replicas: 1 });
  await producer.send({
    acks: ProduceAcks.ALL,
    messages: [
      { topic: 'orders', partition: 0, value: Buffer.alloc(300, 1) },
      { topic: 'orders', partition: 0, value: Buffer.alloc(300, 2) },
      { topic: 'orders', partition: 1, value: Buffer.alloc(10, 3) },
    ],
  });

  const [described] = await admin.describeLogDirs({ topics: [{ name: 'orders', partitions: [0, 1, 7] }, { name: 'missing', partitions: [0] }] });
  assert.equal(described.results.length, 1);
  const [dir] = described.results;
  assert.equal(dir.logDir, broker.config.dataDir);
  assert.ok(dir.totalBytes > 0n && dir.usableBytes > 0n && dir.usableBytes <= dir.totalBytes, `volume ${dir.totalBytes} / ${dir.usableBytes}`);
  assert.deepEqual(
    dir.topics.map((x) => x.name),
    ['orders'],
  );
  const partitions = [...dir.topics[0].partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
  assert.deepEqual(
    partitions.map((p) => p.partitionIndex),
    [0, 1],
  );
  for (const p of partitions) {
    const onDisk = (await segmentFiles(broker.config.dataDir, 'orders', p.partitionIndex)).reduce((sum, s) => sum + s.sizeBytes, 0);
    assert.equal(Number(p.partitionSize), onDisk, `partition ${p.partitionIndex} size`);
    assert.equal(Number(p.offsetLag), 0);
  }
  assert.ok(Number(partitions[0].partitionSize) > Number(partitions[1].partitionSize));
});
