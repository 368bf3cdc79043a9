// The consumers' fetch engine (src/client/fetch-engine.ts) against a real
// broker: every record in order per partition, fetches per partition leader
// on the 'fetch' connections, the prefetch sent while the application holds
// records, the buffer bound with a slow application, seek / pause / resume,
// lag, OFFSET_OUT_OF_RANGE by the reset policy, and metadata refreshed after
// NOT_LEADER_OR_FOLLOWER.

import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { type TestContext, test } from 'node:test';
import { TopicError } from '../../src/broker/broker.js';
import { Admin, AssignedConsumer, type ConnectionPurpose, type ConsumedRecord, GroupConsumer, KafkaClient, KafkaError, Producer, type TopicInfo, fetchChannel } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { FaultHooks } from '../../src/server/fault-hook.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';

interface FetchSent {
  nodeId: number;
  maxBytes: number;
  partitions: { topic: string; partition: number; fetchOffset: number; currentLeaderEpoch: number }[];
}

/** Every Fetch the engine sends from now until the test ends. */
function recordFetches(t: TestContext): FetchSent[] {
  const sent: FetchSent[] = [];
  const onFetch = (message: unknown) => sent.push(message as FetchSent);
  diagnostics_channel.subscribe(fetchChannel.name, onFetch);
  t.after(() => diagnostics_channel.unsubscribe(fetchChannel.name, onFetch));
  return sent;
}

async function setUp(t: TestContext, faults?: FaultHooks) {
  const broker = await startInProcessBroker(t, faults ? { faults } : {});
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { broker, client, admin: new Admin(client), producer: new Producer(client) };
}

/** `batches` batches of `perBatch` records into `partition`; values `p<partition>-<offset>` padded to `valueBytes`. */
async function produce(producer: Producer, topic: string, partition: number, batches: number, perBatch: number, valueBytes = 20): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: perBatch }, (_, i) => ({ partition, value: Buffer.from(`p${partition}-${b * perBatch + i}`.padEnd(valueBytes, '.')) }));
    await producer.sendBatch(topic, records);
  }
}

const label = (r: ConsumedRecord) => `${r.partition}:${r.offset}:${r.value?.toString().replace(/\.+$/, '')}`;

/** Polls until every partition's position reaches `end`, failing after 10 s. */
async function readUntil(consumer: AssignedConsumer, end: Map<number, number>, maxRecords = Infinity, between?: () => void): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + 10_000;
  while ([...end].some(([p, offset]) => (consumer.position(p) ?? 0) < offset)) {
    assert.ok(Date.now() < deadline, `positions ${[...end.keys()].map((p) => consumer.position(p))} did not reach ${[...end.values()]} in 10 s`);
    out.push(...(await consumer.poll(maxRecords)));
    between?.();
  }
  return out;
}

test('three partitions read by AssignedConsumer give every record once, in offset order per partition', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('three', 3);
  for (const p of [0, 1, 2]) await produce(producer, 'three', p, 5, 40);
  const consumer = new AssignedConsumer(client, 'three', new Map([[0, 0], [1, 0], [2, 0]]), { maxWaitMs: 50 });
  const records = await readUntil(consumer, new Map([[0, 200], [1, 200], [2, 200]]), 70);
  for (const p of [0, 1, 2]) {
    const mine = records.filter((r) => r.partition === p).map(label);
    assert.deepEqual(mine, Array.from({ length: 200 }, (_, i) => `${p}:${i}:p${p}-${i}`), `partition ${p}`);
  }
  assert.equal(records.length, 600);
});

/** Metadata naming a different leader (node 100 + partition) for each partition; the ids are unknown, so their connections go to the bootstrap broker. */
class SpreadLeadersClient extends KafkaClient {
  readonly nodes: { nodeId: number; purpose: ConnectionPurpose }[] = [];

  override async topic(name: string, allowAutoCreate = false): Promise<TopicInfo> {
    const info = await super.topic(name, allowAutoCreate);
    return { ...info, partitions: info.partitions.map((p) => ({ ...p, leader: 100 + p.partition })) };
  }

  override node(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    this.nodes.push({ nodeId, purpose });
    return super.node(nodeId, purpose);
  }
}

test('each partition is fetched from the leader metadata names, on its fetch connection, with the leader epoch', async (t) => {
  const { broker, admin, producer } = await setUp(t);
  await admin.createTopic('leaders', 3);
  for (const p of [0, 1, 2]) await produce(producer, 'leaders', p, 2, 10);
  const client = new SpreadLeadersClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const fetches = recordFetches(t);
  const consumer = new AssignedConsumer(client, 'leaders', new Map([[0, 0], [1, 0], [2, 0]]), { maxWaitMs: 50 });
  const records = await readUntil(consumer, new Map([[0, 20], [1, 20], [2, 20]]));
  assert.equal(records.length, 60);
  assert.ok(fetches.length >= 3);
  for (const f of fetches) {
    assert.deepEqual(
      f.partitions.map((p) => 100 + p.partition),
      [f.nodeId],
      `a fetch to node ${f.nodeId} names only that node's partition`,
    );
    assert.ok(f.partitions.every((p) => p.currentLeaderEpoch >= 0), 'the leader epoch from metadata is sent');
  }
  assert.deepEqual([...new Set(fetches.map((f) => f.nodeId))].sort(), [100, 101, 102]);
  assert.deepEqual([...new Set(client.nodes.map((n) => `${n.nodeId}/${n.purpose}`))].sort(), ['100/fetch', '101/fetch', '102/fetch']);
});

test('prefetch: when poll() hands out records the next fetch is already in flight, from the offset after them', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('prefetch', 1);
  await produce(producer, 'prefetch', 0, 4, 25);
  const fetches = recordFetches(t);
  // 1 KiB per partition per fetch: about one 25-record batch each time.
  const consumer = new AssignedConsumer(client, 'prefetch', new Map([[0, 0]]), { maxWaitMs: 50, partitionMaxBytes: 1024 });
  const first = await consumer.poll();
  assert.ok(first.length > 0);
  const sentBefore = fetches.length;
  const next = first[first.length - 1].offset + 1;
  // Nothing else runs between poll() returning and these lines: the fetch was sent inside it.
  assert.equal(fetches[sentBefore - 1].partitions[0].fetchOffset, next, 'the fetch in flight asks for what follows the records handed out');
  const second = await consumer.poll();
  assert.equal(second[0].offset, next);
  assert.equal(fetches.length, sentBefore + 1, 'the second poll was answered by the prefetch and sent one more');
});

test('a slow application keeps the buffered bytes within maxBufferedBytes (plus at most one batch)', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('slow', 2);
  // 2 x 60 batches of 10 records of 1 KiB: about 1.2 MiB, against a 64 KiB buffer.
  for (const p of [0, 1]) await produce(producer, 'slow', p, 60, 10, 1024);
  const limit = 64 * 1024;
  const batchBytes = 11 * 1024;
  const fetches = recordFetches(t);
  const consumer = new AssignedConsumer(client, 'slow', new Map([[0, 0], [1, 0]]), { maxWaitMs: 50, maxBufferedBytes: limit });
  let peak = 0;
  const records = await readUntil(consumer, new Map([[0, 600], [1, 600]]), 3, () => (peak = Math.max(peak, consumer.bufferedBytes)));
  assert.equal(records.length, 1200);
  assert.ok(peak > limit / 2, `the buffer was used (peak ${peak})`);
  assert.ok(peak <= limit + batchBytes, `peak ${peak} bytes buffered, limit ${limit}`);
  assert.ok(fetches.every((f) => f.maxBytes <= limit), 'no fetch asks for more than the limit');
});

test('seek drops what was buffered for the partition; pause stops its fetches and records, resume goes on where it was', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('control', 2);
  for (const p of [0, 1]) await produce(producer, 'control', p, 10, 10);
  const fetches = recordFetches(t);
  const consumer = new AssignedConsumer(client, 'control', new Map([[0, 0], [1, 0]]), { maxWaitMs: 50, partitionMaxBytes: 600 });
  const first = await consumer.poll(5);
  assert.ok(first.length > 0);

  consumer.seek(0, 70);
  consumer.pause([1]);
  const p1Position = consumer.position(1)!;
  const sentAtPause = fetches.length;
  const afterSeek = await readUntil(consumer, new Map([[0, 100]]));
  assert.deepEqual(
    afterSeek.map((r) => r.offset),
    Array.from({ length: 30 }, (_, i) => 70 + i),
    'partition 0 goes on from 70 and partition 1, paused, gives nothing',
  );
  assert.ok(fetches.slice(sentAtPause + 1).every((f) => f.partitions.every((p) => p.partition !== 1)), 'no fetch of the paused partition after the one in flight');
  assert.equal(consumer.position(1), p1Position);

  consumer.resume([1]);
  const resumed = await readUntil(consumer, new Map([[1, 100]]));
  assert.deepEqual(
    resumed.map((r) => r.offset),
    Array.from({ length: 100 - p1Position }, (_, i) => p1Position + i),
    'partition 1 goes on after the last record handed out, buffered ones included',
  );
  assert.throws(() => consumer.seek(7, 0), { code: 'SLUICE_ERR_NOT_ASSIGNED' });
});

test('lag is the high watermark of the last fetch minus the position', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('lag', 1);
  await produce(producer, 'lag', 0, 3, 10);
  const consumer = new AssignedConsumer(client, 'lag', new Map([[0, 0]]), { maxWaitMs: 50 });
  assert.equal(consumer.lag(0), undefined, 'unknown before a fetch answered');
  await consumer.poll(4);
  assert.equal(consumer.lag(0), 26);
  await readUntil(consumer, new Map([[0, 30]]));
  assert.equal(consumer.lag(0), 0);
  await produce(producer, 'lag', 0, 1, 5);
  await consumer.poll(1);
  assert.equal(consumer.lag(0), 4);
});

test('OFFSET_OUT_OF_RANGE: thrown with reset policy none, else the position moves to the earliest or latest offset', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('range', 1);
  await produce(producer, 'range', 0, 1, 10);
  const none = new AssignedConsumer(client, 'range', new Map([[0, 500]]), { maxWaitMs: 50 });
  await assert.rejects(none.poll(), (err) => err instanceof KafkaError && err.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE);

  const earliest = new AssignedConsumer(client, 'range', new Map([[0, 500]]), { maxWaitMs: 50, autoOffsetReset: 'earliest' });
  const fromStart: number[] = [];
  while (fromStart.length < 10) fromStart.push(...(await earliest.poll()).map((r) => r.offset));
  assert.deepEqual(fromStart, [...Array(10).keys()]);

  const latest = new AssignedConsumer(client, 'range', new Map([[0, 500]]), { maxWaitMs: 50, autoOffsetReset: 'latest' });
  while (latest.position(0) === 500) assert.deepEqual(await latest.poll(), []);
  assert.equal(latest.position(0), 10);
  await produce(producer, 'range', 0, 1, 1);
  assert.deepEqual((await readUntil(latest, new Map([[0, 11]]))).map((r) => r.offset), [10]);
});

test('after NOT_LEADER_OR_FOLLOWER the engine asks for metadata again and reads on from the same offset', async (t) => {
  let failures = 2;
  const hooks: FaultHooks = {
    handlerFailure: (apiKey) => (apiKey === 1 && failures-- > 0 ? new TopicError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'moved') : null),
  };
  const { broker, admin, producer } = await setUp(t, hooks);
  await admin.createTopic('moved', 1);
  await produce(producer, 'moved', 0, 1, 10);
  let lookups = 0;
  const client = new (class extends KafkaClient {
    override topic(name: string, allowAutoCreate = false): Promise<TopicInfo> {
      lookups++;
      return super.topic(name, allowAutoCreate);
    }
  })({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const consumer = new AssignedConsumer(client, 'moved', new Map([[0, 0]]), { maxWaitMs: 50, retryBackoffMs: 10 });
  const records = await readUntil(consumer, new Map([[0, 10]]));
  assert.deepEqual(records.map((r) => r.offset), [...Array(10).keys()]);
  assert.equal(failures, -1, 'both failing fetches were sent');
  assert.equal(lookups, 3, 'metadata asked once at the start and once after each refusal');
});

test('a GroupConsumer reads through the same engine: seek, pause, resume and lag by topic and partition', async (t) => {
  const { client, admin, producer } = await setUp(t);
  await admin.createTopic('grouped', 2);
  for (const p of [0, 1]) await produce(producer, 'grouped', p, 2, 10);
  const consumer = new GroupConsumer(client, { groupId: 'engine-group', topics: ['grouped'], autoOffsetReset: 'earliest', maxWaitMs: 50, heartbeatIntervalMs: 500 });
  defer(t, () => consumer.close());
  const taken: ConsumedRecord[] = [];
  const deadline = Date.now() + 10_000;
  while (taken.length < 40) {
    assert.ok(Date.now() < deadline, `read ${taken.length} of 40 in 10 s`);
    taken.push(...(await consumer.poll()));
  }
  assert.equal(consumer.lag('grouped', 0), 0);

  consumer.seek('grouped', 0, 15);
  consumer.pause([{ topic: 'grouped', partition: 1 }]);
  await produce(producer, 'grouped', 1, 1, 5);
  const again: ConsumedRecord[] = [];
  while (again.length < 5) {
    assert.ok(Date.now() < deadline, `read ${again.length} of 5 after the seek in 10 s`);
    again.push(...(await consumer.poll()));
  }
  assert.deepEqual(again.map(label), [15, 16, 17, 18, 19].map((o) => `0:${o}:p0-${o}`), 'partition 0 again from 15; partition 1 paused');
  consumer.resume([{ topic: 'grouped', partition: 1 }]);
  const resumed: ConsumedRecord[] = [];
  while (resumed.length < 5) {
    assert.ok(Date.now() < deadline, `read ${resumed.length} of 5 after resume in 10 s`);
    resumed.push(...(await consumer.poll()));
  }
  assert.deepEqual(resumed.map(label), [20, 21, 22, 23, 24].map((o) => `1:${o}:p1-${o - 20}`), 'partition 1 goes on with what came while it was paused');
  assert.throws(() => consumer.seek('other', 0, 0), { code: 'SLUICE_ERR_NOT_ASSIGNED' });
});
