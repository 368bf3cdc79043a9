// A record batch corrupted on disk while the broker was stopped (the byte flip
// of `dd conv=notrunc` after a clean shutdown) is never served: in the active
// segment it is found at start-up, in a closed one by the CRC check of
// whatever reads it first (a fetch, or a start-up replay). Real clients read everything before and after it, and a
// fetch at it is answered CORRUPT_MESSAGE instead of the bytes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import type { RunningBroker } from '../../src/start-broker.js';
import { kafkajsErrorType } from '../helpers/client-errors.js';
import { defer, makeDataDir, segmentBatches, segmentFiles, waitFor } from '../helpers/broker-process.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { runOk } from './run-command.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'corrupt-e2e';

type Where = 'active' | 'closed';
/** With 1 KiB segments, each batch of three 300-byte values fills a segment of its own. */
const PAD = ' ' + 'x'.repeat(300);
const valueOf = (offset: number, where: Where): string => `v${offset}${where === 'closed' ? PAD : ''}`;
const values = (from: number, to: number, where: Where): string[] => Array.from({ length: to - from }, (_, i) => valueOf(from + i, where));

/**
 * Five batches of three records (offsets 0-14), a clean stop, one byte flipped
 * inside the records of the batch holding offsets 6-8, which lies in the
 * active segment or in a closed one, and a restart.
 */
async function brokerWithCorruptBatch(t: TestContext, where: Where): Promise<RunningBroker> {
  const dataDir = await makeDataDir(t, 'sluice-corrupt-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = where === 'closed' ? [{ name: 'segment.bytes', value: '1024' }] : [];
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let b = 0; b < 5; b++) {
    await producer.send({ topic: TOPIC, acks: -1, messages: [0, 1, 2].map((i) => ({ partition: 0, value: valueOf(b * 3 + i, where) })) });
  }
  await producer.disconnect();
  await first.close();

  const segments = await segmentFiles(dataDir, TOPIC, 0);
  const segment = where === 'active' ? segments[0] : [...segments].reverse().find((s) => s.baseOffset <= 6)!;
  assert.equal(segments.length === 1, where === 'active');
  const target = (await segmentBatches(segment.path)).find((b) => b.baseOffset === 6)!;
  assert.equal(target.lastOffset, 8);
  const fd = fs.openSync(segment.path, 'r+');
  fs.writeSync(fd, Buffer.from([0xff]), 0, 1, target.position + target.size - 3);
  fs.closeSync(fd);

  const second = await startRestartableBroker(t, dataDir, 0);
  const p = second.broker.partition(TOPIC, 0)!;
  // The active segment is checked at start-up; a closed one when read (start-up replays may read it too).
  if (where === 'active') assert.deepEqual(p.log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }]);
  assert.equal(second.broker.counters.corruptBatches, p.log.corruptRanges().length);
  assert.equal(p.logEndOffset, 15, 'nothing was cut');
  return second;
}

/** Once a read reached it, the batch is recorded and counted once, however often it is fetched. */
function assertRecorded(broker: RunningBroker): void {
  assert.deepEqual(broker.broker.partition(TOPIC, 0)!.log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }]);
  assert.equal(broker.broker.counters.corruptBatches, 1);
}

for (const where of ['active', 'closed'] as const) {
  test(`a corrupt batch in the ${where} segment is refused with CORRUPT_MESSAGE and kafkajs reads before and after it`, async (t) => {
    const broker = await brokerWithCorruptBatch(t, where);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });

    const fromStart = kafka.consumer({ groupId: 'corrupt-from-start', retry: { retries: 0, restartOnFailure: async () => false } });
    defer(t, () => fromStart.disconnect());
    const before: string[] = [];
    let crash: unknown = null;
    fromStart.on(fromStart.events.CRASH, (e) => {
      crash = e.payload.error;
    });
    await fromStart.subscribe({ topic: TOPIC, fromBeginning: true });
    await fromStart.run({ eachMessage: async ({ message }) => void before.push(message.value!.toString()) });
    await waitFor('the consumer to stop at the corrupt batch', () => crash !== null);
    assert.equal(kafkajsErrorType(crash), 'CORRUPT_MESSAGE');
    assert.deepEqual(before, values(0, 6, where));

    const pastIt = kafka.consumer({ groupId: 'corrupt-past-it' });
    defer(t, () => pastIt.disconnect());
    const after: string[] = [];
    await pastIt.subscribe({ topic: TOPIC, fromBeginning: true });
    await pastIt.run({ eachMessage: async ({ message }) => void after.push(message.value!.toString()) });
    pastIt.seek({ topic: TOPIC, partition: 0, offset: '9' });
    await waitFor('the records after the corrupt batch', () => after.length >= 6);
    assert.deepEqual(after, values(9, 15, where));
    assertRecorded(broker);
  });

  test(`kcat with check.crcs=true reads before and after a corrupt batch in the ${where} segment and gets an error at it`, skipUnless(kcat), async (t) => {
    const broker = await brokerWithCorruptBatch(t, where);
    const consume = (...args: string[]) => ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-p', '0', '-X', 'check.crcs=true', '-f', '%o:%s\n', ...args];
    const lines = (from: number, to: number): string => values(from, to, where).map((v, i) => `${from + i}:${v}\n`).join('');

    const before = await runOk(KCAT, consume('-o', 'beginning', '-c', '6'));
    assert.equal(before.stdout.toString(), lines(0, 6));
    const after = await runOk(KCAT, consume('-o', '9', '-e'));
    assert.equal(after.stdout.toString(), lines(9, 15));

    // At the corrupt batch librdkafka hands the error to the application (kcat prints it) and retries after a backoff.
    const at = spawn(KCAT, consume('-o', '6', '-e'));
    defer(t, () => at.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    at.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    at.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // librdkafka names error code 2 (CORRUPT_MESSAGE) INVALID_MSG.
    await waitFor('kcat to report the corrupt batch', () => /Fetch from broker 0 failed: Broker: Invalid message/.test(stderr));
    assert.equal(stdout, '', 'no record of the corrupt batch, nor after it, is served from offset 6');
    assertRecorded(broker);
  });
}
