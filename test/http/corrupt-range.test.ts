// A byte flipped in a closed segment while the broker was stopped (as `dd
// conv=notrunc` would) is found after the restart by the background scrubber
// and shown where an operator looks: GET /topics/{t} lists the corrupt offset
// range of the partition, GET /metrics counts it (sluice_corrupt_batches_total),
// and `sluice topic describe` prints it. Without the
// HTTP API the CLI prints the rest and says how to turn the API on.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { makeDataDir, segmentBatches, segmentFiles, spawnBroker, waitFor } from '../helpers/broker-process.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';

const TOPIC = 'rotting';
/** With 1 KiB segments, each batch of three 300-byte values fills a segment of its own. */
const VALUE = 'x'.repeat(300);

test('a corrupt batch in a closed segment shows in GET /topics/{t} and in sluice topic describe', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-http-corrupt-');
  const serveArgs = async () => ['--http-port', String(await freePort()), '--http-writes', 'true'];
  const first = await spawnBroker(t, { dataDir, args: await serveArgs() });
  const firstApi = `http://127.0.0.1:${first.httpPort}`;
  const created = await httpCall(firstApi, 'POST', '/topics', { name: TOPIC, configs: { 'segment.bytes': '1024' } });
  assert.equal(created.status, 201, created.text);
  for (let b = 0; b < 5; b++) {
    const sent = await httpCall(firstApi, 'POST', `/topics/${TOPIC}/records`, { records: [0, 1, 2].map((i) => ({ value: `${b * 3 + i} ${VALUE}` })) });
    assert.equal(sent.status, 200, sent.text);
  }
  assert.equal(await first.stop(), 0);

  const segment = (await segmentFiles(dataDir, TOPIC, 0)).find((s) => s.baseOffset === 6)!;
  const target = (await segmentBatches(segment.path)).find((b) => b.baseOffset === 6)!;
  assert.equal(target.lastOffset, 8);
  const fd = fs.openSync(segment.path, 'r+');
  fs.writeSync(fd, Buffer.from([0xff]), 0, 1, target.position + target.size - 3);
  fs.closeSync(fd);

  const second = await spawnBroker(t, { dataDir, args: await serveArgs() });
  const api = `http://127.0.0.1:${second.httpPort}`;
  // The scrubber re-checks closed segments in the background (16 MiB/s by default): a few ticks.
  let detail: any;
  await waitFor('the scrubber to report the corrupt batch', async () => {
    detail = (await httpCall(api, 'GET', `/topics/${TOPIC}`)).json;
    return detail.partitions[0].corruptRanges.length > 0;
  });
  assert.deepEqual(detail.partitions[0].corruptRanges, [{ baseOffset: 6, lastOffset: 8, segment: path.basename(segment.path), position: target.position, size: target.size }]);
  assert.equal(detail.partitions[0].logEndOffset, 15, 'nothing was cut');
  const atIt = await httpCall(api, 'GET', `/topics/${TOPIC}/records?offset=6`);
  assert.equal(atIt.status, 500);
  assert.equal(atIt.json.error.code, 'SLUICE_HTTP_CORRUPT_BATCH');
  const before = await httpCall(api, 'GET', `/topics/${TOPIC}/records?offset=3&limit=100`);
  assert.equal(before.headers.get('sluice-next-offset'), '6', 'a read stops before the corrupt batch');
  const metrics = await httpCall(api, 'GET', '/metrics');
  assert.equal(metrics.status, 200);
  const corruptBatches = parsePrometheusTextFormat(metrics.text).find((m) => m.name === 'sluice_corrupt_batches_total');
  assert.equal(corruptBatches?.type, 'COUNTER');
  assert.deepEqual(
    corruptBatches?.metrics.map((m) => Number(m.value)),
    [1],
    'one corrupt batch counted, however often it was read',
  );

  const described = await runCli(['topic', 'describe', TOPIC, '-b', second.bootstrap, '--http', api]);
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /PARTITION +LEADER +EPOCH +REPLICAS +ISR +LOG-START-OFFSET +LOG-END-OFFSET +CORRUPT-OFFSETS\n0 +0 +0 +\[0\] +\[0\] +0 +15 +6-8\n/);
  assert.equal(described.stderr, '');
  const json = JSON.parse((await runCli(['topic', 'describe', TOPIC, '-b', second.bootstrap, '--http', api, '--json'])).stdout);
  assert.deepEqual(json.partitions[0].corruptRanges, ['6-8']);

  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const withoutApi = await runCli(['topic', 'describe', TOPIC, '-b', second.bootstrap, '--http', nowhere]);
  assert.equal(withoutApi.code, 0, withoutApi.stderr);
  assert.match(withoutApi.stdout, /PARTITION +LEADER +EPOCH +REPLICAS +ISR +LOG-START-OFFSET +LOG-END-OFFSET\n0 +0 +0 +\[0\] +\[0\] +0 +15\n/);
  assert.match(withoutApi.stderr, /^note: corrupt offset ranges not shown: http:\/\/127\.0\.0\.1:\d+\/topics\/rotting did not answer/);
  assert.match(withoutApi.stderr, /hint: the broker serves its HTTP API on --http-port/);
});
