// Consuming queues over HTTP: messages produced by kcat are received with
// receipts and, once acknowledged, never delivered again; a released message
// comes back with delivery count 2 and its old receipt is stale; a rejected one
// lands in the group's dead-letter topic; a receipt whose lock expired (on the
// share groups' fake clock) is refused with 410, a foreign one with 409, a
// malformed one with 400, and nothing is settled then; read-only and tokened
// APIs refuse every queue delivery route; a waiting receive does not hold up
// the broker's close, and an idle API leaves the group.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { IDLE_LEAVE_MS } from '../../src/http/queue-member.js';
import { decodeReceipt, encodeReceipt } from '../../src/http/queue-receipt.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type HttpApiBroker, startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

/** A topic and a share group reading it from the start (and dead-lettering to `deadLetterTopic`, if given). */
async function queueOf(t: Parameters<typeof defer>[0], api: HttpApiBroker, topic: string, group: string, partitions: number, deadLetterTopic?: string): Promise<void> {
  const client = await connect({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  await client.admin().createTopic(topic, { partitions });
  const set: Record<string, string> = { 'share.auto.offset.reset': 'earliest' };
  if (deadLetterTopic) set['errors.deadletterqueue.topic.name'] = deadLetterTopic;
  await client.admin().alterConfigs({ type: 'group', name: group }, { set });
}

/** Receives until `count` messages came (each receive waits for the first). */
async function receive(api: HttpApiBroker, group: string, topic: string, count: number): Promise<any[]> {
  const got: any[] = [];
  while (got.length < count) {
    const answer = await api.call('POST', `/queues/${group}/receive?topic=${topic}&max=${count - got.length}&waitMs=5000`);
    assert.equal(answer.status, 200, answer.text);
    assert.ok(answer.json.messages.length > 0, 'a receive waited in vain');
    got.push(...answer.json.messages);
  }
  return got;
}

async function send(api: HttpApiBroker, topic: string, values: string[]): Promise<void> {
  const sent = await api.call('POST', `/topics/${topic}/records`, { records: values.map((value) => ({ value })) });
  assert.equal(sent.status, 200, sent.text);
}

test('messages produced by kcat are received over HTTP once each, and acknowledged ones are never delivered again', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await queueOf(t, api, 'jobs', 'workers', 2);
  await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'jobs', '-K:', '-H', 'source=kcat'], { input: 'a:j1\nb:j2\nc:j3\nd:j4\ne:j5\n' });

  const messages = await receive(api, 'workers', 'jobs', 5);
  assert.deepEqual(messages.map((m) => m.value).sort(), ['j1', 'j2', 'j3', 'j4', 'j5']);
  for (const m of messages) {
    assert.equal(m.topic, 'jobs');
    assert.equal(m.deliveryCount, 1);
    assert.deepEqual(m.headers, { source: 'kcat' });
  }
  assert.equal(new Set(messages.map((m) => m.receipt)).size, 5);

  const acked = await api.call('POST', '/queues/workers/ack', { receipts: messages.map((m) => m.receipt) });
  assert.equal(acked.status, 200, acked.text);
  assert.deepEqual(acked.json, { settled: 5 });

  const again = await api.call('POST', '/queues/workers/receive?topic=jobs&max=10');
  assert.deepEqual(again.json.messages, []);
  const figures = await api.call('GET', '/queues/workers');
  assert.equal(figures.json.totals.acknowledged, 5);
  assert.equal(figures.json.totals.inFlight, 0);

  const twice = await api.call('POST', '/queues/workers/ack', { receipts: [messages[0].receipt] });
  assert.equal(twice.status, 410);
  assert.equal(twice.json.error.code, 'SLUICE_HTTP_STALE_RECEIPT');
  assert.ok(twice.json.error.hint);
});

test('a released message is delivered again with delivery count 2, its old receipt stale; a rejected one is dead-lettered', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await queueOf(t, api, 'emails', 'senders', 1, 'emails.dlq');
  await send(api, 'emails', ['retry-me', 'bounce-me']);

  const [retry, bounce] = await receive(api, 'senders', 'emails', 2);
  assert.deepEqual([retry.value, bounce.value], ['retry-me', 'bounce-me']);
  assert.deepEqual((await api.call('POST', '/queues/senders/release', { receipts: [retry.receipt] })).json, { settled: 1 });
  assert.deepEqual((await api.call('POST', '/queues/senders/reject', { receipts: [bounce.receipt], reason: 'mailbox gone' })).json, { settled: 1 });

  const [redelivered] = await receive(api, 'senders', 'emails', 1);
  assert.deepEqual([redelivered.value, redelivered.offset, redelivered.deliveryCount], ['retry-me', 0, 2]);
  // The same member holds the record again, but from a later delivery.
  const old = await api.call('POST', '/queues/senders/ack', { receipts: [retry.receipt] });
  assert.equal(old.status, 410);
  assert.equal(old.json.error.code, 'SLUICE_HTTP_STALE_RECEIPT');
  assert.equal((await api.call('POST', '/queues/senders/ack', { receipts: [redelivered.receipt] })).status, 200);

  const deadLetters = async () => (await api.call('GET', '/topics/emails.dlq/records')).text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  // The copy to the dead-letter topic is made after the archive is decided.
  await waitFor('the dead letter', async () => (await deadLetters()).length === 1);
  const [letter] = await deadLetters();
  assert.equal(letter.value, 'bounce-me');
  assert.equal(letter.headers['_dlq.errors.disposition'], 'CLIENT_REJECTED');
  assert.equal(letter.headers['_dlq.errors.original.offset'], '1');
});

test('a receipt whose lock expired is refused with 410 and the message is delivered again; foreign and malformed receipts settle nothing', async (t) => {
  const clock = new FakeClock();
  const api = await startHttpApiBroker(t, { httpWrites: true, shareClock: clock });
  await queueOf(t, api, 'tasks', 'runners', 1);
  await send(api, 'tasks', ['t1', 't2']);
  const [first, second] = await receive(api, 'runners', 'tasks', 2);

  const foreign = encodeReceipt({ ...decodeReceipt(second.receipt), memberId: 'a-member-of-another-broker' });
  const refused = await api.call('POST', '/queues/runners/ack', { receipts: [second.receipt, foreign] });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'SLUICE_HTTP_FOREIGN_RECEIPT');
  const malformed = await api.call('POST', '/queues/runners/ack', { receipts: ['not-a-receipt'] });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.error.code, 'SLUICE_HTTP_BAD_RECEIPT');
  assert.equal((await api.call('GET', '/queues/runners')).json.totals.inFlight, 2, 'nothing was settled');

  // share.record.lock.duration.ms defaults to 30 s.
  clock.advance(30_001);
  const expired = await api.call('POST', '/queues/runners/ack', { receipts: [first.receipt] });
  assert.equal(expired.status, 410);
  assert.equal(expired.json.error.code, 'SLUICE_HTTP_STALE_RECEIPT');
  const again = await receive(api, 'runners', 'tasks', 2);
  assert.deepEqual(again.map((m) => [m.value, m.deliveryCount]), [['t1', 2], ['t2', 2]]);
});

test('a read-only API refuses receiving and settling, and a tokened one wants its token', async (t) => {
  const readOnly = await startHttpApiBroker(t);
  for (const path of ['/queues/q/receive?topic=t', '/queues/q/ack', '/queues/q/release', '/queues/q/reject']) {
    const refused = await readOnly.call('POST', path, { receipts: ['x'] });
    assert.equal(refused.status, 403, path);
    assert.equal(refused.json.error.code, 'SLUICE_HTTP_READ_ONLY');
  }
  const tokened = await startHttpApiBroker(t, { httpWrites: true, httpToken: 'queue-token' });
  const anonymous = await tokened.call('POST', '/queues/q/receive?topic=t');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.json.error.code, 'SLUICE_HTTP_UNAUTHORIZED');
  const withToken = await tokened.call('POST', '/queues/q/receive?topic=t', undefined, { authorization: 'Bearer queue-token' });
  assert.equal(withToken.status, 404, 'past the access policy: the topic does not exist');
  assert.equal(withToken.json.error.code, 'SLUICE_HTTP_UNKNOWN_TOPIC');
});

test('a receive waiting for messages ends with none when the broker closes, which does not wait out its waitMs', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await queueOf(t, api, 'quiet', 'idlers', 1);
  const receiving = api.call('POST', '/queues/idlers/receive?topic=quiet&waitMs=30000');
  // The member joins just before the wait starts, in the same turn.
  await waitFor('the receive to wait', () => (api.broker.shares.describe('idlers').group?.members.size ?? 0) === 1);
  const closing = Date.now();
  await api.broker.close();
  assert.ok(Date.now() - closing < 10_000, `the close took ${Date.now() - closing} ms`);
  const answer = await receiving;
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json.messages, []);
});

test('the HTTP API leaves a share group it has not used for two minutes, so the group can be empty, and joins again at the next receive', async (t) => {
  const clock = new FakeClock();
  const api = await startHttpApiBroker(t, { httpWrites: true, shareClock: clock });
  await queueOf(t, api, 'seldom', 'occasional', 1);
  await send(api, 'seldom', ['s1']);
  const [message] = await receive(api, 'occasional', 'seldom', 1);
  assert.equal((await api.call('POST', '/queues/occasional/ack', { receipts: [message.receipt] })).status, 200);
  const members = () => api.broker.shares.describe('occasional').group?.members.size;

  clock.advance(IDLE_LEAVE_MS - 10_000);
  assert.equal(members(), 1, 'heartbeats keep it in the group meanwhile');
  clock.advance(10_000 + 5_000);
  assert.equal(members(), 0);
  assert.equal(api.broker.shares.describe('occasional').group?.state, 'Empty');

  await send(api, 'seldom', ['s2']);
  assert.deepEqual((await receive(api, 'occasional', 'seldom', 1)).map((m) => m.value), ['s2']);
  assert.equal(members(), 1);
});
