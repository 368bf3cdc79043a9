// The facade's queue (`client.queue()`, a share-group member) against a real
// broker: competing workers get every message exactly once; a message a
// handler fails is released with a backoff and delivered again with its
// delivery count raised; never more than `prefetch` messages are held
// unsettled; rejected messages and those past the delivery limit land in
// the group's dead-letter topic; two share groups on one topic each get
// everything, and a consumer group beside them is undisturbed; the group
// configs the options name are set on the GROUP resource; after kill -9 of
// the broker acknowledged messages stay so, those in flight come again and a
// delayed release keeps its delay; the messages of a worker killed with
// SIGKILL go to another at once (its connection closed); a queue carries
// on across a broker restart; a release with a delay comes back no earlier
// than the delay, a message with a delivery time no earlier than that while
// the ones behind it flow, and a filter lets only matching messages through.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { QueueMessage, SluiceClient } from '../../src/client/index.js';
import { connect } from '../../src/client/index.js';
import { ShareGroupDescribeRequest, ShareGroupDescribeResponse } from '../../src/protocol/messages/share-group-describe.js';
import { defer, makeDataDir, spawnBroker, waitFor } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { connectFor, startBrokerWithSluiceClient } from '../helpers/sluice-client.js';

async function produceNumbered(client: SluiceClient, topic: string, count: number): Promise<void> {
  const producer = client.producer({ lingerMs: 5 });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send(topic, { key: `k${i}`, value: { i } })));
}

/** Iterates `queue` until `stop` says so, acknowledging each message; returns the values seen. */
async function drain<V>(queue: AsyncIterable<QueueMessage<V>>, stop: (seen: V[]) => boolean): Promise<V[]> {
  const seen: V[] = [];
  for await (const msg of queue) {
    seen.push(msg.value);
    msg.ack();
    if (stop(seen)) break;
  }
  return seen;
}

test('competing workers of one share group receive every message exactly once when all acknowledge', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('jobs', { partitions: 3 });
  const total = 300;
  const workers = await Promise.all(Array.from({ length: 3 }, () => connectFor(t, broker)));
  const received: { worker: number; i: number; deliveryCount: number }[] = [];
  const queues = workers.map((w) => w.queue('jobs', { group: 'workers', from: 'earliest', prefetch: 10, valueFormat: 'json' }));
  await Promise.all(queues.map((q) => q.ready()));
  await produceNumbered(client, 'jobs', total);

  let allIn!: () => void;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const runs = queues.map((q, worker) =>
    q.run(
      async (msg) => {
        received.push({ worker, i: (msg.value as { i: number }).i, deliveryCount: msg.deliveryCount });
        if (received.length === total) allIn();
      },
      { concurrency: 2 },
    ),
  );
  await done;
  await Promise.all(queues.map((q) => q.close()));
  await Promise.all(runs);

  assert.deepEqual(
    received.map((r) => r.i).sort((a, b) => a - b),
    Array.from({ length: total }, (_, i) => i),
  );
  assert.ok(received.every((r) => r.deliveryCount === 1), 'nothing was delivered twice');
  // Nothing is left for the group: a later member's first message is one sent after the run.
  await client.producer().send('jobs', { key: 'k0', value: { i: total } });
  const late = (await connectFor(t, broker)).queue('jobs', { group: 'workers', valueFormat: 'json' });
  assert.deepEqual(await drain(late, () => true), [{ i: total }]);
});

test('a member holds at most prefetch messages unsettled: the rest go to another member meanwhile', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('held', { partitions: 1 });
  await produceNumbered(client, 'held', 20);

  const holder = client.queue('held', { group: 'g', from: 'earliest', prefetch: 5, valueFormat: 'json' });
  let inHand = 0;
  let mostInHand = 0;
  let gotFive!: () => void;
  const fiveInHand = new Promise<void>((resolve) => (gotFive = resolve));
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const holding = holder.run(
    async () => {
      mostInHand = Math.max(mostInHand, ++inHand);
      if (inHand === 5) gotFive();
      await gate;
      inHand--;
    },
    { concurrency: 10 },
  );
  await fiveInHand;

  const other = (await connectFor(t, broker)).queue('held', { group: 'g', valueFormat: 'json' });
  const rest = await drain(other, (seen) => seen.length === 15);
  assert.equal(new Set(rest.map((v) => (v as { i: number }).i)).size, 15, 'the other member got the 15 messages the first did not hold');
  assert.equal(mostInHand, 5, 'ten handlers could run, but only five messages were held');
  letGo();
  await holder.close();
  await holding;
});

test('a message whose handler throws is released and delivered again with its delivery count raised', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('flaky', { partitions: 1 });
  await produceNumbered(client, 'flaky', 1);
  const queue = client.queue('flaky', { group: 'g', from: 'earliest', valueFormat: 'json' });
  const deliveries: number[] = [];
  await queue.run(async (msg) => {
    deliveries.push(msg.deliveryCount);
    if (msg.deliveryCount < 3) throw new Error('not yet');
    void queue.close();
  }, { retryBackoffMs: 1 });
  assert.deepEqual(deliveries, [1, 2, 3]);
});

test('settling a message twice throws SLUICE_ERR_SETTLED', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('twice', { partitions: 1 });
  await produceNumbered(client, 'twice', 1);
  for await (const msg of client.queue('twice', { group: 'g', from: 'earliest' })) {
    msg.ack();
    assert.throws(() => msg.release(), { code: 'SLUICE_ERR_SETTLED' });
    break;
  }
});

test('a message serializes to JSON as its record fields and delivery count, settled or not', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('shape', { partitions: 1 });
  await client.producer().send('shape', { key: 'k', value: { i: 1 }, headers: { h: 'v' }, timestamp: 1_700_000_000_000 });
  for await (const msg of client.queue('shape', { group: 'g', from: 'earliest', valueFormat: 'json' })) {
    const fields = { topic: 'shape', partition: 0, offset: 0, timestamp: 1_700_000_000_000, key: 'k', value: { i: 1 }, headers: { h: 'v' }, deliveryCount: 1 };
    assert.deepEqual(JSON.parse(JSON.stringify(msg)), fields);
    assert.equal(msg.settled, false);
    msg.ack();
    assert.equal(msg.settled, true);
    assert.deepEqual(JSON.parse(JSON.stringify(msg)), fields);
    break;
  }
});

test('rejected messages and messages past the delivery limit are copied to the dead-letter topic', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  const admin = client.admin();
  await admin.createTopic('payments', { partitions: 1 });
  await admin.alterConfigs({ type: 'group', name: 'billing' }, { set: { 'errors.deadletterqueue.topic.name': 'payments.dlq', 'share.delivery.count.limit': '2' } });
  await produceNumbered(client, 'payments', 3);
  const queue = client.queue('payments', { group: 'billing', from: 'earliest', valueFormat: 'json' });
  const rejected: unknown[] = [];
  const subscriber = (m: unknown) => rejected.push(m);
  diagnostics_channel.subscribe('sluice:queue:reject', subscriber);
  t.after(() => diagnostics_channel.unsubscribe('sluice:queue:reject', subscriber));
  let settled = 0;
  await queue.run(async (msg) => {
    const { i } = msg.value as { i: number };
    // Message 1 is settled for good on its second delivery, the limit.
    if (i !== 1 || msg.deliveryCount === 2) settled++;
    if (settled === 3) void queue.close();
    if (i === 0) msg.reject('bad card');
    else if (i === 1) throw new Error('always fails'); // released twice: archived at the limit of 2
  }, { retryBackoffMs: 1 });

  const dlq = client.consumer({ group: 'dlq-reader', topics: ['payments.dlq'], from: 'earliest', valueFormat: 'json' });
  const letters: { value: unknown; disposition: string }[] = [];
  for await (const r of dlq) {
    letters.push({ value: r.value, disposition: r.headers['_dlq.errors.disposition'] as string });
    if (letters.length === 2) break;
  }
  assert.deepEqual(
    letters.sort((a, b) => JSON.stringify(a.value).localeCompare(JSON.stringify(b.value))),
    [
      { value: { i: 0 }, disposition: 'CLIENT_REJECTED' },
      { value: { i: 1 }, disposition: 'MAX_DELIVERY_ATTEMPTS_REACHED' },
    ],
  );
  assert.deepEqual(rejected, [{ groupId: 'billing', topic: 'payments', partition: 0, offset: 0, reason: 'bad card' }]);
});

test('two share groups on one topic each get every message, and a consumer group beside them is undisturbed', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('events', { partitions: 2 });
  await produceNumbered(client, 'events', 40);
  const everything = (values: unknown[]) => values.map((v) => (v as { i: number }).i).sort((a, b) => a - b);
  const all = Array.from({ length: 40 }, (_, i) => i);

  const readConsumerGroup = async () => {
    const c: unknown[] = [];
    for await (const r of client.consumer({ group: 'analytics', topics: ['events'], from: 'earliest', valueFormat: 'json' })) {
      c.push(r.value);
      if (c.length === 40) break;
    }
    return c;
  };
  // All three read at once.
  const [a, b, c] = await Promise.all([
    ...['audit', 'search'].map(async (group) => drain((await connectFor(t, broker)).queue('events', { group, from: 'earliest', valueFormat: 'json' }), (seen) => seen.length === 40)),
    readConsumerGroup(),
  ]);
  assert.deepEqual(everything(a), all);
  assert.deepEqual(everything(b), all);
  assert.deepEqual(everything(c), all, 'the consumer group read each record once');
  const committed = await client.admin().fetchOffsets('analytics');
  assert.equal(committed.reduce((sum, o) => sum + o.offset, 0), 39, 'its commits cover all but the record in hand when the loop ended');
});

test('lockMs and from set the share group configs before the member joins', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('configured', { partitions: 1 });
  const queue = client.queue('configured', { group: 'cfg', lockMs: 20_000, from: 'earliest' });
  await queue.ready();
  const configs = await client.admin().describeConfigs({ type: 'group', name: 'cfg' });
  const value = (name: string) => configs.find((c) => c.name === name)?.value;
  assert.equal(value('share.record.lock.duration.ms'), '20000');
  assert.equal(value('share.auto.offset.reset'), 'earliest');
  await queue.close();
});

test('messages held by a worker killed with SIGKILL go to another worker at once, without waiting for their lock', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('tasks', { partitions: 1 });
  await client.admin().alterConfigs({ type: 'group', name: 'crew' }, { set: { 'share.record.lock.duration.ms': '60000' } });
  await produceNumbered(client, 'tasks', 3);

  const worker = spawn(process.execPath, [fileURLToPath(new URL('../helpers/queue-worker.js', import.meta.url)), broker.bootstrap, 'tasks', 'crew', '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => worker.kill('SIGKILL'));
  let printed = '';
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.setEncoding('utf8').on('data', (s: string) => {
      printed += s;
      if (printed.split('\n').length > 3) resolve();
    });
    worker.on('exit', (code) => reject(new Error(`the worker exited (${code}) before taking 3 messages`)));
  });
  assert.deepEqual(printed.trim().split('\n').sort(), ['0 0 1', '0 1 1', '0 2 1']);
  const heldSince = Date.now();
  worker.kill('SIGKILL');

  const survivor = client.queue('tasks', { group: 'crew' });
  const redelivered: string[] = [];
  for await (const msg of survivor) {
    redelivered.push(`${msg.offset} ${msg.deliveryCount}`);
    if (redelivered.length === 3) break;
  }
  assert.deepEqual(redelivered.sort(), ['0 2', '1 2', '2 2']);
  // Neither the lock (60 s) nor the member's session (45 s) ran out: the dead worker's closed connection gave them back.
  assert.ok(Date.now() - heldSince < 45_000, `redelivered ${Date.now() - heldSince} ms after the worker was killed`);
});

test('a message released with delayMs is delivered again no earlier than the delay', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('later', { partitions: 1 });
  await produceNumbered(client, 'later', 1);
  let releasedAt = 0;
  for await (const msg of client.queue('later', { group: 'g', from: 'earliest' })) {
    if (msg.deliveryCount === 1) {
      releasedAt = Date.now();
      msg.release({ delayMs: 2000 });
      continue;
    }
    assert.ok(Date.now() - releasedAt >= 2000, `redelivered ${Date.now() - releasedAt} ms after a release with a 2000 ms delay`);
    break;
  }
});

test('a message with a sluice-deliver-at header arrives no earlier than its time, while the messages behind it flow', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('scheduled', { partitions: 1 });
  const deliverAt = Date.now() + 2000;
  await client.producer().sendBatch('scheduled', [
    { value: 'later', headers: { 'sluice-deliver-at': String(deliverAt) } },
    { value: 'now-1' },
    { value: 'now-2' },
  ]);
  const arrived: { value: string | null; at: number }[] = [];
  for await (const msg of client.queue('scheduled', { group: 'g', from: 'earliest', valueFormat: 'string' })) {
    arrived.push({ value: msg.value, at: Date.now() });
    if (arrived.length === 3) break;
  }
  assert.deepEqual(
    arrived.map((a) => a.value),
    ['now-1', 'now-2', 'later'],
  );
  assert.ok(arrived[2].at >= deliverAt, `the scheduled message came ${deliverAt - arrived[2].at} ms before its time`);
  assert.ok(arrived[1].at < deliverAt, 'the messages behind it were not held back');
});

test('a queue with a filter receives only the matching messages', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('mixed', { partitions: 1 });
  const producer = client.producer();
  for (const type of ['created', 'deleted', 'created']) await producer.send('mixed', { value: { type }, headers: { type } });
  const types: unknown[] = [];
  for await (const msg of client.queue('mixed', { group: 'creations', from: 'earliest', filter: 'header.type == "created"', valueFormat: 'json' })) {
    types.push({ offset: msg.offset, value: msg.value });
    if (types.length === 2) break;
  }
  assert.deepEqual(types, [
    { offset: 0, value: { type: 'created' } },
    { offset: 2, value: { type: 'created' } },
  ]);
});

test('a queue carries on across a broker restart: it rejoins the group and opens a new share session by itself', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-queue-restart-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const client = await connect({ bootstrap: first.bootstrap });
  defer(t, () => client.close());
  await client.admin().createTopic('durable', { partitions: 1 });
  await produceNumbered(client, 'durable', 3);

  const received: number[] = [];
  const arrivals: (() => void)[] = [];
  const receivedCount = (n: number) => new Promise<void>((resolve) => (received.length >= n ? resolve() : arrivals.push(() => received.length >= n && resolve())));
  const queue = client.queue('durable', { group: 'g', from: 'earliest', valueFormat: 'json' });
  const running = queue.run(async (msg) => {
    received.push((msg.value as { i: number }).i);
    for (const a of arrivals) a();
  });
  await receivedCount(3);

  await first.close();
  await startRestartableBroker(t, dataDir, first.port);
  const producer = client.producer();
  await Promise.all([3, 4, 5].map((i) => producer.send('durable', { value: { i } })));
  await receivedCount(6);
  // Memberships live in the broker's memory: the member is back only because its heartbeat rejoined.
  const members = async () => {
    const res = await (await client.admin().coordinatorOf('g')).send({ request: ShareGroupDescribeRequest, response: ShareGroupDescribeResponse }, { groupIds: ['g'], includeAuthorizedOperations: false });
    return res.groups[0].errorCode === 0 ? res.groups[0].members.length : 0;
  };
  await waitFor('the member to rejoin the restarted broker', async () => (await members()) === 1, 15_000);
  await queue.close();
  await running;
  assert.deepEqual(received.filter((i) => i >= 3).sort(), [3, 4, 5], 'the messages sent after the restart reached the same queue');
});

test('after kill -9 of the broker, acknowledged messages stay acknowledged and those in flight are delivered again', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-queue-kill9-');
  const first = await spawnBroker(t, { dataDir });
  const before = await connect({ bootstrap: first.bootstrap });
  defer(t, () => before.close());
  await before.admin().createTopic('durable', { partitions: 1 });
  await before.producer().sendBatch('durable', ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })));
  // One message at a time: a and b are acknowledged, and closing the queue sends the last acknowledgement.
  for await (const msg of before.queue('durable', { group: 'g', from: 'earliest', prefetch: 1, valueFormat: 'string' })) {
    msg.ack();
    if (msg.value === 'b') break;
  }
  // c is in the hands of a worker (in a process of its own) when the broker dies.
  const worker = spawn(process.execPath, [fileURLToPath(new URL('../helpers/queue-worker.js', import.meta.url)), first.bootstrap, 'durable', 'g', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => worker.kill('SIGKILL'));
  // c may have been fetched once already by the first queue, and given back unseen when it closed.
  const taken = await new Promise<number>((resolve) =>
    worker.stdout!.setEncoding('utf8').on('data', (line: string) => {
      const m = /^0 2 (\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    }),
  );
  await first.kill9();
  worker.kill('SIGKILL');

  const second = await spawnBroker(t, { dataDir });
  const after = await connect({ bootstrap: second.bootstrap });
  defer(t, () => after.close());
  const redelivered: [string | null, number][] = [];
  for await (const msg of after.queue('durable', { group: 'g', valueFormat: 'string' })) {
    redelivered.push([msg.value, msg.deliveryCount]);
    if (redelivered.length === 3) break;
  }
  assert.deepEqual(
    redelivered.map(([value]) => value),
    ['c', 'd', 'e'],
    'a and b, acknowledged before the crash, never come again; c, in flight, comes again',
  );
  // Acquisitions are not stored (as in Kafka, only acknowledgements are): the count goes on from c's last stored state.
  assert.ok(redelivered[0][1] >= taken, `c delivered again with count ${redelivered[0][1]}, after ${taken} before the crash`);
  assert.deepEqual(
    redelivered.slice(1).map(([, count]) => count),
    [1, 1],
  );
});

test('a message released with a delay is not delivered again before it when the broker is killed with kill -9 and restarted meanwhile', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-queue-delay-kill9-');
  const first = await spawnBroker(t, { dataDir });
  const before = await connect({ bootstrap: first.bootstrap });
  defer(t, () => before.close());
  await before.admin().createTopic('later', { partitions: 1 });
  await before.producer().send('later', { value: 'retry me' });
  const delayMs = 6000;
  let releasedAt = 0;
  // Closing the queue sends the release and waits for its answer, which comes once it is stored.
  for await (const msg of before.queue('later', { group: 'g', from: 'earliest', prefetch: 1 })) {
    releasedAt = Date.now();
    msg.release({ delayMs });
    break;
  }
  await first.kill9();

  const second = await spawnBroker(t, { dataDir });
  const after = await connect({ bootstrap: second.bootstrap });
  defer(t, () => after.close());
  for await (const msg of after.queue('later', { group: 'g', valueFormat: 'string' })) {
    assert.equal(msg.value, 'retry me');
    assert.equal(msg.deliveryCount, 2);
    assert.ok(Date.now() - releasedAt >= delayMs, `redelivered ${Date.now() - releasedAt} ms after a release with a ${delayMs} ms delay, across a restart`);
    break;
  }
});

test('an acknowledgement after the lock expired is dropped, so it cannot spoil the others of its partition in the same request', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('slow', { partitions: 1 });
  const failures: unknown[] = [];
  const onFailure = (m: unknown) => failures.push(m);
  diagnostics_channel.subscribe('sluice:queue:acknowledge-failed', onFailure);
  t.after(() => diagnostics_channel.unsubscribe('sluice:queue:acknowledge-failed', onFailure));
  const producer = client.producer();
  await producer.send('slow', { value: { i: 0 } });

  const slow = client.queue('slow', { group: 'g', from: 'earliest', lockMs: 15_000, prefetch: 2, valueFormat: 'json' });
  const taken: number[] = [];
  let gotBoth!: () => void;
  const both = new Promise<void>((resolve) => (gotBoth = resolve));
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const running = slow.run(
    async (msg) => {
      taken.push((msg.value as { i: number }).i);
      if (taken.length === 2) gotBoth();
      await finished; // both handlers resolve together: both accepts go in one request
    },
    { concurrency: 2 },
  );
  // Message 1 is acquired 5 s after message 0, so its lock ends 5 s later.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await producer.send('slow', { value: { i: 1 } });
  await both;

  const other = (await connectFor(t, broker)).queue('slow', { group: 'g', valueFormat: 'json' });
  const otherMessages = other[Symbol.asyncIterator]();
  const redelivered = (await otherMessages.next()).value!;
  assert.deepEqual([redelivered.value, redelivered.deliveryCount], [{ i: 0 }, 2], "message 0's lock expired first");
  redelivered.ack();

  finish();
  await slow.close();
  await running;
  assert.deepEqual(failures, [], 'no acknowledgement was refused');
  // Message 1 was accepted: after a marker, the other member's next message is the marker, not message 1 given back.
  await producer.send('slow', { value: { i: 2 } });
  assert.deepEqual((await otherMessages.next()).value!.value, { i: 2 });
  await otherMessages.return!(undefined);
});

test('a queue whose group id belongs to a consumer group fails with GROUP_ID_NOT_FOUND instead of waiting', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('taken', { partitions: 1 });
  await client.producer().send('taken', { value: 'x' });
  for await (const _ of client.consumer({ group: 'classic', topics: ['taken'], from: 'earliest' })) break;
  const queue = client.queue('taken', { group: 'classic' });
  await assert.rejects(queue.ready(), (err: { code?: string; message: string }) => err.code === 'SLUICE_ERR_KAFKA' && /GROUP_ID_NOT_FOUND/.test(err.message));
  await queue.close();
});
