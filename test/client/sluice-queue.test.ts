// The facade's queue (`client.queue()`, a share-group member) against a real
// broker: competing workers get every message exactly once; a message a
// handler fails is released with a backoff and delivered again with its
// delivery count raised; never more than `prefetch` messages are held
// unsettled; rejected messages and those past the delivery limit land in
// the group's dead-letter topic; two share groups on one topic each get
// everything, and a consumer group beside them is undisturbed; the group
// configs the options name are set on the GROUP resource.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueMessage, SluiceClient } from '../../src/client/index.js';
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
