// Queue figures where operators look: GET /queues/{group} and `sluice queue
// stats` show, after a worker accepted one message, rejected one and left,
// the rest ready, nothing in flight, and the counts of what was settled; an
// unknown group is 404, and the CLI without the HTTP API says how to reach it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { runCli } from '../helpers/cli.js';
import { defer } from '../helpers/broker-process.js';
import { freePort } from '../helpers/free-port.js';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('GET /queues/{group} and sluice queue stats show ready, in-flight and settled messages of a share group', async (t) => {
  const api = await startHttpApiBroker(t);
  const client = await connect({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  await client.admin().createTopic('jobs', { partitions: 1 });
  await client.producer().sendBatch('jobs', ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })));

  for await (const msg of client.queue('jobs', { group: 'workers', from: 'earliest', prefetch: 2, valueFormat: 'string' })) {
    if (msg.value === 'a') msg.ack();
    else {
      msg.reject('unreadable');
      break;
    }
  }

  const figures = await api.call('GET', '/queues/workers');
  assert.equal(figures.status, 200, figures.text);
  const { totals, partitions } = figures.json;
  assert.deepEqual(
    { ready: totals.ready, delayed: totals.delayed, inFlight: totals.inFlight, acknowledged: totals.acknowledged, archived: totals.archived, deadLettered: totals.deadLettered },
    { ready: 3, delayed: 0, inFlight: 0, acknowledged: 1, archived: 1, deadLettered: 0 },
  );
  assert.deepEqual(partitions.map((p: { topic: string; partition: number; startOffset: number }) => [p.topic, p.partition, p.startOffset]), [['jobs', 0, 2]]);
  assert.equal(typeof totals.oldestReadyAgeMs, 'number');
  const listed = await api.call('GET', '/queues');
  assert.deepEqual(listed.json.queues.map((q: { groupId: string }) => q.groupId), ['workers']);
  const unknown = await api.call('GET', '/queues/nobody');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'SLUICE_HTTP_UNKNOWN_QUEUE');

  const stats = await runCli(['queue', 'stats', 'workers', '-b', api.broker.bootstrap, '--http', api.base]);
  assert.equal(stats.code, 0, stats.stderr);
  const lines = stats.stdout.trim().split('\n');
  assert.match(lines[0], /^GROUP +TOPIC +PARTITION +READY +DELAYED +IN-FLIGHT +OLDEST-READY +ACKNOWLEDGED +ARCHIVED +DEAD-LETTERED +REDELIVERIES +FILTERED$/);
  assert.match(lines[1], /^workers +jobs +0 +3 +0 +0 +\d+m?s +1 +1 +0 +0 +0$/);
  assert.match(lines[2], /^workers +\* +\* +3 +0 +0 +\d+m?s +1 +1 +0 +0 +0$/);

  const nowhere = await runCli(['queue', 'stats', '-b', api.broker.bootstrap, '--http', `http://127.0.0.1:${await freePort()}`]);
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /SLUICE_ERR_HTTP_API|queue figures unavailable/);
  assert.match(nowhere.stderr, /--http-port/);
});
