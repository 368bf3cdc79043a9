// Flush policies, observed through FileLog's real fdatasync counters
// (flushStats, counted when fs.fdatasync calls back) and the
// `sluice:storage:flush` diagnostics channel.

import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { flushChannel } from '../../src/storage/flusher.js';
import { makeBatch, openFileLog, tempDir, testConfig } from './log-test-helpers.js';

test('group-commit: awaitDurable waits for an fdatasync that started after the append', async (t) => {
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'group-commit' }));
  const roundsWhenDurable = (offset: number): Promise<number> => log.awaitDurable(offset).then(() => log.flushStats.rounds);

  const a = log.append(makeBatch(1), 0);
  const durableA = roundsWhenDurable(a.lastOffset); // starts round 1, covering a
  assert.equal(log.flushStats.rounds, 0);
  // Appended while round 1 is in flight: round 1 must not count for them.
  const b = log.append(makeBatch(1), 0);
  const c = log.append(makeBatch(1), 0);
  const durableB = roundsWhenDurable(b.lastOffset);
  const durableC = roundsWhenDurable(c.lastOffset);
  assert.deepEqual(await Promise.all([durableA, durableB, durableC]), [1, 2, 2]);
  assert.deepEqual(log.flushStats, { rounds: 2, fdatasyncs: 2 });
  // Already durable: no new round.
  await log.awaitDurable(b.lastOffset);
  assert.equal(log.flushStats.rounds, 2);
});

test('group-commit: concurrent producers share one fdatasync', async (t) => {
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'group-commit' }));
  const acks = Array.from({ length: 50 }, (_, i) => log.append(makeBatch(1, { tag: `p${i}` }), 0)).map((info) => log.awaitDurable(info.lastOffset));
  await Promise.all(acks);
  assert.deepEqual(log.flushStats, { rounds: 1, fdatasyncs: 1 });
});

test('group-commit: a round covers every segment written since the last one', async (t) => {
  const batchBytes = makeBatch(1).length;
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'group-commit', segmentBytes: Math.floor(batchBytes * 1.5) }));
  const first = log.awaitDurable(log.append(makeBatch(1), 0).lastOffset);
  log.append(makeBatch(1), 0); // rolls: second segment
  const last = log.append(makeBatch(1), 0); // rolls: third segment
  assert.equal(log.segmentCount, 3);
  await Promise.all([first, log.awaitDurable(last.lastOffset)]);
  assert.deepEqual(log.flushStats, { rounds: 2, fdatasyncs: 3 });
});

test('interval: acks do not wait, and a timer flushes the data', async (t) => {
  const dir = tempDir(t);
  const flushed = new Promise<unknown>((resolve) => {
    const onFlush = (message: unknown): void => {
      if ((message as { log: string }).log !== dir) return;
      diagnostics_channel.unsubscribe(flushChannel.name, onFlush);
      resolve(message);
    };
    diagnostics_channel.subscribe(flushChannel.name, onFlush);
  });
  const log = await openFileLog(t, dir, testConfig({ flushPolicy: 'interval', flushIntervalMs: 10 }));
  const { lastOffset } = log.append(makeBatch(3), 0);
  await log.awaitDurable(lastOffset);
  assert.equal(log.flushStats.rounds, 0, 'resolved without an fdatasync');
  // The flush timer is unref'd (it must not keep a process alive); this guard keeps the test's alive and bounds the wait.
  let guard: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error('no interval flush within 5 s')), 5_000);
  });
  const message = (await Promise.race([flushed, timeout]).finally(() => clearTimeout(guard))) as { files: number; coveredOffset: number };
  assert.equal(message.files, 1);
  assert.equal(message.coveredOffset, lastOffset);
  assert.ok(log.flushStats.rounds >= 1);
});

test('os: no fdatasync until close', async (t) => {
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'os' }));
  const { lastOffset } = log.append(makeBatch(3), 0);
  await log.awaitDurable(lastOffset);
  assert.equal(log.flushStats.rounds, 0);
  await log.close();
  assert.deepEqual(log.flushStats, { rounds: 1, fdatasyncs: 1 });
});

test('reconfigure: entering group-commit fsyncs what the os policy left unsynced; leaving it releases the waiting acks before their round ends', async (t) => {
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'os' }));
  await log.awaitDurable(log.append(makeBatch(2), 0).lastOffset);
  assert.equal(log.flushStats.rounds, 0, 'os: nothing synced');

  log.reconfigure(testConfig({ flushPolicy: 'group-commit' }));
  await log.awaitDurable(log.append(makeBatch(1), 0).lastOffset);
  const rounds = log.flushStats.rounds;
  assert.ok(rounds >= 1, 'group-commit: the ack waited for a round');

  // The ack waits for a round now in flight; switching to os answers it at once, before that round completes.
  const acked = log.awaitDurable(log.append(makeBatch(1), 0).lastOffset).then(() => log.flushStats.rounds);
  log.reconfigure(testConfig({ flushPolicy: 'os' }));
  assert.equal(await acked, rounds);
});
