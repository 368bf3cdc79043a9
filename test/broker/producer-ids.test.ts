// Producer ids (src/broker/producer-ids.ts) never repeat, also across a
// restart, because each block is recorded before its first id is given out;
// idempotent producers get a KIP-360 epoch bump only for the pair last given.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { PRODUCER_ID_BLOCK_FILE, PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../src/broker/producer-ids.js';

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pids-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('ids increase, each block is recorded before use, and a reopened manager starts past every recorded block', async (t) => {
  const dir = tempDir(t);
  const first = ProducerIdManager.open(dir);
  const ids: number[] = [];
  for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE + 5; i++) ids.push(await first.nextId());
  assert.deepEqual(ids, [...ids.keys()]);
  assert.equal(fs.readFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8'), `${2 * PRODUCER_ID_BLOCK_SIZE}\n`);

  // A restart (or a crash) after the first ids of the second block: none of them comes back.
  const second = ProducerIdManager.open(dir);
  assert.equal(await second.nextId(), 2 * PRODUCER_ID_BLOCK_SIZE);
  assert.equal(fs.readFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8'), `${3 * PRODUCER_ID_BLOCK_SIZE}\n`);
});

test('an unreadable block file stops the start-up instead of reusing ids', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'twelve\n');
  assert.throws(() => ProducerIdManager.open(dir), { code: 'SLUICE_ERR_PRODUCER_IDS' });
});

test('InitProducerId for idempotent producers: a fresh id at epoch 0, or epoch + 1 for the pair last given (KIP-360)', async (t) => {
  const ids = ProducerIdManager.open(tempDir(t));
  const a = await ids.initIdempotent({ producerId: -1, producerEpoch: -1 });
  assert.deepEqual(a, { producerId: 0, producerEpoch: 0 });
  assert.deepEqual(await ids.initIdempotent(a), { producerId: 0, producerEpoch: 1 });
  // The old pair is no longer current: a zombie asking with it gets a new id.
  assert.deepEqual(await ids.initIdempotent(a), { producerId: 1, producerEpoch: 0 });
  assert.deepEqual(await ids.initIdempotent({ producerId: 77, producerEpoch: 3 }), { producerId: 2, producerEpoch: 0 }, 'an id this broker never gave');
});

test('after a restart an old pair gets a fresh id, never a bump of an id the broker no longer tracks', async (t) => {
  const dir = tempDir(t);
  const before = await ProducerIdManager.open(dir).initIdempotent({ producerId: -1, producerEpoch: -1 });
  const after = await ProducerIdManager.open(dir).initIdempotent(before);
  assert.equal(after.producerEpoch, 0);
  assert.ok(after.producerId > before.producerId);
});
