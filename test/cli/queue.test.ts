// `sluice queue`: send writes stdin lines as `produce` does; receive prints
// each message of a share group once and acknowledges it, so the next member
// gets only what came after; a poisoned message that reached the delivery
// limit sits in the dead-letter topic until `redrive` sends it back to its
// partition (once, without the _dlq.errors.* headers); delete removes an
// empty share group and refuses one with members or a consumer group.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBrokerWithSluiceClient } from '../helpers/sluice-client.js';
import { runCli, startCli } from '../helpers/cli.js';

async function send(bootstrap: string, topic: string, input: string): Promise<void> {
  const r = await runCli(['queue', 'send', topic, '-b', bootstrap], { input });
  assert.equal(r.code, 0, r.stderr);
}

test('queue receive prints each message once and acknowledges it, fetching no more than it prints: the group moves on', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('jobs', { partitions: 1 });
  await send(broker.bootstrap, 'jobs', 'a\nb\nc\nd\ne\n');

  const first = await runCli(['queue', 'receive', 'jobs', '-g', 'workers', '--from-beginning', '-n', '3', '-f', '%o:%v', '-b', broker.bootstrap]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '0:a\n1:b\n2:c\n');

  const second = await runCli(['queue', 'receive', 'jobs', '-g', 'workers', '-n', '1', '--json', '-b', broker.bootstrap]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(JSON.parse(second.stdout).value, 'd', 'a, b and c were acknowledged, so d comes next');

  for await (const msg of client.queue('jobs', { group: 'workers', valueFormat: 'string' })) {
    assert.deepEqual([msg.value, msg.deliveryCount], ['e', 1], 'e was never fetched by the runs that printed fewer');
    break;
  }
});

test('queue receive follows new messages until Ctrl-C and exits 0', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('live', { partitions: 1 });
  const receiver = startCli(t, ['queue', 'receive', 'live', '-g', 'g', '-b', broker.bootstrap]);
  await receiver.waitForStderr(/receiving 'live' in share group 'g'/);
  await send(broker.bootstrap, 'live', 'one\n');
  await receiver.waitForStdout(/^one\n$/);
  receiver.child.kill('SIGINT');
  const r = await receiver.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\n');
});

test('a message past the delivery limit is in the dead-letter topic, and queue redrive brings it back once, without the _dlq headers', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  const admin = client.admin();
  await admin.createTopic('orders', { partitions: 2 });
  await admin.alterConfigs({ type: 'group', name: 'billing' }, { set: { 'errors.deadletterqueue.topic.name': 'orders.dlq', 'share.delivery.count.limit': '2' } });
  await client.producer().send('orders', { key: 'poison', value: 'bad', headers: { trace: 't-1' }, partition: 1 });
  await client.producer().send('orders', { key: 'fine', value: 'good', partition: 0 });

  const billing = client.queue('orders', { group: 'billing', from: 'earliest', valueFormat: 'string' });
  let handled = 0;
  await billing.run(async (msg) => {
    if (msg.value === 'good' || msg.deliveryCount === 2) handled++;
    if (handled === 2) void billing.close();
    if (msg.value === 'bad') throw new Error('cannot bill this');
  }, { retryBackoffMs: 1 });

  const dlq = client.consumer({ group: 'dlq-check', topics: ['orders.dlq'], from: 'earliest', valueFormat: 'string' });
  for await (const letter of dlq) {
    assert.equal(letter.value, 'bad');
    assert.equal(letter.headers['_dlq.errors.disposition'], 'MAX_DELIVERY_ATTEMPTS_REACHED');
    break;
  }

  const r = await runCli(['queue', 'redrive', 'billing', '-b', broker.bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /redriven 1\/1\n/);
  assert.match(r.stderr, /1 dead letter\(s\) redriven from 'orders.dlq' to their topics\n/);

  // Back on partition 1 as a new message, delivered afresh.
  for await (const msg of client.queue('orders', { group: 'billing', valueFormat: 'string' })) {
    assert.deepEqual({ partition: msg.partition, key: msg.key, value: msg.value, deliveryCount: msg.deliveryCount, headers: msg.headers }, { partition: 1, key: 'poison', value: 'bad', deliveryCount: 1, headers: { trace: 't-1' } });
    msg.ack();
    break;
  }
  const again = await runCli(['queue', 'redrive', 'billing', '-b', broker.bootstrap]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /^0 dead letter\(s\) redriven/m, 'a dead letter is redriven once');
});

test('queue delete removes an empty share group and refuses one with members, or a consumer group', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('work', { partitions: 1 });
  const member = client.queue('work', { group: 'crew' });
  await member.ready();

  const busy = await runCli(['queue', 'delete', 'crew', '-b', broker.bootstrap]);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /cannot delete share group 'crew': it has 1 member/);

  await member.close();
  const r = await runCli(['queue', 'delete', 'crew', '-b', broker.bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /share group 'crew' deleted/);
  const gone = await runCli(['queue', 'delete', 'crew', '-b', broker.bootstrap]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /'crew' is not a share group/);

  await client.admin().commitOffsets('classic', [{ topic: 'work', partition: 0, offset: 0 }]);
  const consumers = await runCli(['queue', 'delete', 'classic', '-b', broker.bootstrap]);
  assert.equal(consumers.code, 1);
  assert.match(consumers.stderr, /'classic' is not a share group/);
  assert.deepEqual((await client.admin().fetchOffsets('classic')).map((o) => o.offset), [0], 'the consumer group is kept');
});
