// A queue's acknowledgements go in ShareAcknowledge requests of their own, sent
// after the ShareFetch for the next records on the same connection: the broker
// answers an acknowledgement only once it is stored (an fsync), and answers a
// connection in order, so records asked for ahead of it do not wait for that.
// Seen on the wire, through a spy on the queue's real connections.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaClient } from '../../../src/client/index.js';
import type { Api, BrokerConnection, RequestOptions } from '../../../src/client/connection.js';
import { SluiceQueue } from '../../../src/client/sluice-queue.js';
import type { Message } from '../../../src/protocol/codec.js';
import { defer } from '../../helpers/broker-process.js';
import { startBrokerWithSluiceClient } from '../../helpers/sluice-client.js';

const SHARE_FETCH = 78;
const SHARE_ACKNOWLEDGE = 79;

interface Sent {
  apiKey: number;
  epoch: number;
  acknowledged: number;
  /** ShareAcknowledges sent before this request and not answered when it was sent. */
  acknowledgesInFlight: number;
}

const acknowledgedIn = (body: Message): number =>
  (body.topics as Message[]).flatMap((t) => t.partitions as Message[]).flatMap((p) => p.acknowledgementBatches as Message[]).reduce((n, b) => n + Number(b.lastOffset) - Number(b.firstOffset) + 1, 0);

/** Records every share request the client sends, in order, on connections it opens from now on. */
function spyOnShareRequests(client: KafkaClient): Sent[] {
  const sent: Sent[] = [];
  const spied = new WeakSet<BrokerConnection>();
  let acknowledgesInFlight = 0;
  const node = client.node.bind(client);
  client.node = async (...args: Parameters<KafkaClient['node']>) => {
    const conn = await node(...args);
    if (spied.has(conn)) return conn;
    spied.add(conn);
    const send = conn.send.bind(conn);
    conn.send = (api: Api, body: Message, options?: RequestOptions) => {
      const apiKey = api.request.apiKey;
      if (apiKey !== SHARE_FETCH && apiKey !== SHARE_ACKNOWLEDGE) return send(api, body, options);
      sent.push({ apiKey, epoch: body.shareSessionEpoch, acknowledged: acknowledgedIn(body), acknowledgesInFlight });
      if (apiKey === SHARE_FETCH) return send(api, body, options);
      acknowledgesInFlight++;
      return send(api, body, options).finally(() => acknowledgesInFlight--);
    };
    return conn;
  };
  return sent;
}

test('a queue asks for its next records ahead of the acknowledgements of the last ones, which go in ShareAcknowledges of their own', async (t) => {
  const { broker, client: sluice } = await startBrokerWithSluiceClient(t);
  const count = 400;
  const producer = sluice.producer({ lingerMs: 5 });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send('jobs', { value: String(i) })));

  const kafka = new KafkaClient({ bootstrap: broker.bootstrap });
  const sent = spyOnShareRequests(kafka);
  const queue = new SluiceQueue(kafka, 'jobs', { group: 'workers', prefetch: 20, from: 'earliest' });
  defer(t, () => queue.close());
  const seen = new Set<string>();
  for await (const msg of queue) {
    seen.add(String(msg.value));
    msg.ack();
    if (seen.size === count) break;
  }
  assert.equal(seen.size, count);

  const fetches = sent.filter((s) => s.apiKey === SHARE_FETCH);
  const acknowledges = sent.filter((s) => s.apiKey === SHARE_ACKNOWLEDGE);
  assert.deepEqual(fetches.filter((f) => f.acknowledged > 0), [], 'no ShareFetch carries acknowledgements');
  assert.equal(acknowledges.reduce((n, a) => n + a.acknowledged, 0), count, 'every message is acknowledged once, in ShareAcknowledges');
  assert.ok(fetches.some((f) => f.acknowledgesInFlight > 0), 'ShareFetches go out while acknowledgements are being stored');
  // One session, its epochs in the order the requests were sent (the broker steps it as they arrive).
  const epochs = sent.map((s) => s.epoch).filter((e) => e !== -1);
  assert.deepEqual(epochs, epochs.map((_, i) => i));
});
