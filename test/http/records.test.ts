// Records over the HTTP API against real Kafka clients: what is produced over
// HTTP (a JSON batch, a single JSON record, a raw octet-stream body) is what
// kcat reads, key, value and headers byte for byte; what kcat produces is what
// GET /topics/{t}/records returns as JSON lines, from an offset or a time,
// bounded by `limit`, transaction markers left out, and an empty partition
// answers at once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const { Kafka, logLevel } = kafkajs;

function jsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

test('records produced over HTTP are read by kcat with their keys, values and headers', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  assert.equal((await api.call('POST', '/topics', { name: 'http-in', partitions: 2 })).status, 201);

  const batch = await api.call('POST', '/topics/http-in/records', {
    records: [
      { key: 'k1', value: 'plain text', partition: 1 },
      { key: 'k2', value: { n: 2, s: 'grüße' }, headers: { trace: 'abc' }, partition: 1 },
    ],
  });
  assert.equal(batch.status, 200, batch.text);
  assert.deepEqual(batch.json, { records: [{ partition: 1, offset: 0 }, { partition: 1, offset: 1 }] });
  const single = await api.call('POST', '/topics/http-in/records?acks=1', { key: 'k3', value: 'one', partition: 1 });
  assert.deepEqual(single.json, { records: [{ partition: 1, offset: 2 }] });
  const raw = await api.call('POST', '/topics/http-in/records?key=k4&partition=1', Buffer.from('raw bytes \u00ff'));
  assert.deepEqual(raw.json, { records: [{ partition: 1, offset: 3 }] });

  const out = await runOk(KCAT, ['-C', '-b', api.broker.bootstrap, '-t', 'http-in', '-p', '1', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-f', '%o|%k|%s|%h\n']);
  assert.deepEqual(out.stdout.toString().split('\n').filter(Boolean), ['0|k1|plain text|', '1|k2|{"n":2,"s":"grüße"}|trace=abc', '2|k3|one|', '3|k4|raw bytes \u00ff|']);
});

test('records without a partition go where their key hashes, as Kafka clients place them', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'keyed', partitions: 4 });
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  const viaHttp = await api.call('POST', '/topics/keyed/records', { records: keys.map((key) => ({ key, value: key })) });
  assert.equal(viaHttp.status, 200, viaHttp.text);
  // kcat's default partitioner for keyed records is murmur2-compatible only with -X partitioner=murmur2_random.
  for (const key of keys) await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'keyed', '-K:', '-X', 'partitioner=murmur2_random'], { input: `${key}:${key}\n` });
  for (const [i, key] of keys.entries()) {
    const lines = jsonLines((await api.call('GET', `/topics/keyed/records?partition=${viaHttp.json.records[i].partition}`)).text);
    assert.equal(lines.filter((r) => r.key === key).length, 2, `both copies of ${key} in partition ${viaHttp.json.records[i].partition}`);
  }
});

test('records produced by kcat are read over HTTP as JSON lines, from an offset or a time, bounded by limit', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t);
  const bootstrap = api.broker.bootstrap;
  await runOk(KCAT, ['-P', '-b', bootstrap, '-t', 'from-kcat', '-K:', '-H', 'source=kcat'], { input: 'a:first\nb:second\nc:third\n' });
  const afterThree = Date.now();
  // kcat stamps records with the wall clock: the fourth must carry a later millisecond to be found by time alone.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await runOk(KCAT, ['-P', '-b', bootstrap, '-t', 'from-kcat', '-K:'], { input: `d:fourth\n` });

  const all = await api.call('GET', '/topics/from-kcat/records');
  assert.equal(all.status, 200);
  assert.match(all.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const records = jsonLines(all.text);
  assert.deepEqual(
    records.map((r) => [r.partition, r.offset, r.key, r.value]),
    [
      [0, 0, 'a', 'first'],
      [0, 1, 'b', 'second'],
      [0, 2, 'c', 'third'],
      [0, 3, 'd', 'fourth'],
    ],
  );
  assert.deepEqual(records[0].headers, { source: 'kcat' });
  assert.ok(records[0].timestamp <= afterThree);
  assert.equal(all.headers.get('sluice-next-offset'), '4');

  const page = await api.call('GET', '/topics/from-kcat/records?offset=1&limit=2');
  assert.deepEqual(jsonLines(page.text).map((r) => r.value), ['second', 'third']);
  assert.equal(page.headers.get('sluice-next-offset'), '3');

  const byTime = await api.call('GET', `/topics/from-kcat/records?time=${records[3].timestamp}`);
  assert.deepEqual(jsonLines(byTime.text).map((r) => r.offset), [3]);
  const afterAll = await api.call('GET', `/topics/from-kcat/records?time=${records[3].timestamp + 60_000}`);
  assert.equal(afterAll.status, 200);
  assert.equal(afterAll.text, '');

  const atEnd = await api.call('GET', '/topics/from-kcat/records?offset=4');
  assert.equal(atEnd.status, 200);
  assert.equal(atEnd.text, '');
  const pastEnd = await api.call('GET', '/topics/from-kcat/records?offset=5');
  assert.equal(pastEnd.status, 416);
  assert.equal(pastEnd.json.error.code, 'SLUICE_HTTP_OFFSET_OUT_OF_RANGE');
});

test('an empty partition is read at once, with nothing in it', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'empty' });
  const started = Date.now();
  const empty = await api.call('GET', '/topics/empty/records?limit=10');
  assert.equal(empty.status, 200);
  assert.equal(empty.text, '');
  assert.equal(empty.headers.get('sluice-next-offset'), '0');
  assert.ok(Date.now() - started < 5_000, 'the read did not wait for records');
});

test('a read over HTTP leaves transaction markers out and goes on past them', async (t) => {
  const api = await startHttpApiBroker(t);
  const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'http-reader-txn', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'with-markers', messages: [{ value: 'in-1' }, { value: 'in-2' }] });
  await txn.commit();
  await producer.send({ topic: 'with-markers', messages: [{ value: 'after' }] });

  const read = await api.call('GET', '/topics/with-markers/records');
  // Offset 2 is the COMMIT marker.
  assert.deepEqual(jsonLines(read.text).map((r) => [r.offset, r.value]), [
    [0, 'in-1'],
    [1, 'in-2'],
    [3, 'after'],
  ]);
  assert.equal(read.headers.get('sluice-next-offset'), '4');
  const fromMarker = await api.call('GET', '/topics/with-markers/records?offset=2');
  assert.deepEqual(jsonLines(fromMarker.text).map((r) => r.offset), [3]);
});

test('acks=0 is answered at once without offsets; the records are read right after, a null value as a tombstone', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'fire-and-forget' });
  const answer = await api.call('POST', '/topics/fire-and-forget/records?acks=0', { records: [{ key: 'k', value: 'v' }, { key: 'k', value: null }] });
  assert.equal(answer.status, 202);
  assert.deepEqual(answer.json, { records: [] });
  // The append happens before the answer (the produce path appends synchronously); the read waits for its fsync.
  const lines = jsonLines((await api.call('GET', '/topics/fire-and-forget/records')).text);
  assert.deepEqual(lines.map((r) => [r.key, r.value]), [
    ['k', 'v'],
    ['k', null],
  ]);
});
