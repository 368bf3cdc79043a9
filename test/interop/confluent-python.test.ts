// confluent-kafka-python 1.7.0 (Debian, librdkafka 2.0.2) against a real
// broker over TCP: keyed produce with acks=all and delivery callbacks, read
// back by an assign()ed Consumer; offsets_for_times; list_topics metadata;
// AdminClient create_topics / delete_topics. The client side lives in
// python/confluent_client.py, which prints JSON for these assertions.

import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { REPO_ROOT, defer, segmentBatches, segmentFiles } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { runOk } from './run-command.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_client.py');

async function python(command: string, ...args: string[]): Promise<any> {
  const r = await runOk(PYTHON, [SCRIPT, command, ...args]);
  return JSON.parse(r.stdout.toString());
}

function adminFor(t: TestContext, bootstrap: string): Admin {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  return new Admin(client);
}

interface Delivered {
  key: string;
  partition: number;
  offset: number;
  error?: string;
}

interface Consumed {
  partition: number;
  offset: number;
  key: string;
  value: string;
  timestamp: number;
}

for (const codec of [
  { name: 'none', id: 0 },
  { name: 'gzip', id: 1 },
]) {
  test(`Producer acks=all (compression ${codec.name}) gets a delivery report per record; an assigned Consumer reads each partition back in order`, skipUnless(confluentPython), async (t) => {
    const broker = await startInProcessBroker(t);
    const topic = `py-${codec.name}`;
    const partitions = 3;
    const count = 90;
    await adminFor(t, broker.bootstrap).createTopic(topic, partitions);

    const out: { delivered: Delivered[]; consumed: Consumed[]; fromSixth: Consumed[] } = await python('produce-consume', broker.bootstrap, topic, String(partitions), String(count), codec.name);

    // The script sends record i to partition i % 3 with value `value i xyz...`.
    const expected = new Map<number, { key: string; value: string }[]>();
    for (let i = 0; i < count; i++) {
      const list = expected.get(i % partitions) ?? [];
      list.push({ key: `key-${i}`, value: `value ${i} ${'xyz'.repeat(20 + (i % 50))}` });
      expected.set(i % partitions, list);
    }
    assert.equal(out.delivered.length, count);
    assert.deepEqual(out.delivered.filter((d) => d.error !== undefined), []);
    for (let p = 0; p < partitions; p++) {
      const want = expected.get(p)!;
      const delivered = out.delivered.filter((d) => d.partition === p).sort((a, b) => a.offset - b.offset);
      assert.deepEqual(delivered.map((d) => d.key), want.map((w) => w.key), `delivery reports of partition ${p}`);
      assert.deepEqual(delivered.map((d) => d.offset), [...want.keys()]);

      const consumed = out.consumed.filter((c) => c.partition === p);
      assert.deepEqual(
        consumed.map((c) => ({ offset: c.offset, key: c.key, value: c.value })),
        want.map((w, offset) => ({ offset, ...w })),
        `records of partition ${p}`,
      );

      const segments = await segmentFiles(broker.config.dataDir, topic, p);
      const batches = (await Promise.all(segments.map((s) => segmentBatches(s.path)))).flat();
      assert.deepEqual([...new Set(batches.map((b) => b.codec))], [codec.id], `codec of the batches stored for partition ${p}`);
    }
    assert.deepEqual(
      out.fromSixth.map((c) => [c.partition, c.offset, c.key]),
      expected.get(0)!.slice(5).map((w, i) => [0, i + 5, w.key]),
    );
  });
}

test('Consumer.offsets_for_times finds the first record at or after each time; watermarks match', skipUnless(confluentPython), async (t) => {
  const broker = await startInProcessBroker(t);
  const topic = 'py-times';
  await adminFor(t, broker.bootstrap).createTopic(topic, 1);

  // Offsets 0-9 are stamped base+0..9, offsets 10-14 base+30min+0..4 (explicit create times).
  const out = await python('offsets-for-times', broker.bootstrap, topic);
  assert.deepEqual(out.offsets, {
    beforeAll: 0,
    firstOld: 0,
    midOld: 4,
    betweenGenerations: 10,
    lastNew: 14,
    afterAll: -1,
  });
  assert.equal(out.low, 0);
  assert.equal(out.high, 15);
});

test('AdminClient.list_topics reports the cluster, the broker and each topic without creating unknown ones', skipUnless(confluentPython), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  await admin.createTopic('alpha', 2);
  await admin.createTopic('beta', 1);

  const md = await python('metadata', broker.bootstrap, 'alpha', 'beta', 'unknown-topic');
  assert.equal(md.clusterId, broker.broker.cluster.clusterId);
  assert.equal(md.controllerId, 0);
  assert.deepEqual(md.brokers, [[0, '127.0.0.1', broker.port]]);
  assert.deepEqual(md.allTopics, ['alpha', 'beta']);
  assert.deepEqual(md.topics, {
    alpha: { error: null, partitions: [[0, 0, [0], [0]], [1, 0, [0], [0]]] },
    beta: { error: null, partitions: [[0, 0, [0], [0]]] },
    'unknown-topic': null,
  });
  assert.deepEqual((await admin.listTopics()).map((tp) => tp.name), ['alpha', 'beta']);
});

test('AdminClient create_topics and delete_topics, with the errors for doing either twice', skipUnless(confluentPython), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  await admin.createTopic('bystander', 1);

  const out = await python('admin', broker.bootstrap, 'py-admin');
  assert.deepEqual(out.afterCreate, { error: null, partitions: [0, 1, 2, 3].map((p) => [p, 0, [0], [0]]) });
  assert.equal(out.createAgain, 'TOPIC_ALREADY_EXISTS');
  assert.deepEqual(out.afterDelete, ['bystander']);
  assert.equal(out.deleteAgain, 'UNKNOWN_TOPIC_OR_PART');
  // The deletion is real: gone from our client's view and from disk.
  assert.deepEqual((await admin.listTopics()).map((tp) => tp.name), ['bystander']);
  await assert.rejects(segmentFiles(broker.config.dataDir, 'py-admin', 0), { code: 'ENOENT' });
});

