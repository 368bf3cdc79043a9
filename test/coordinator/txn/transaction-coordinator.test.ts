// The transaction coordinator driven directly, with transactional batches
// appended through the broker's produce path: state transitions and their
// errors, records in __transaction_state, and recovery of an open transaction
// (coordinator state, the partition's last stable offset and aborted index)
// across a restart, with and without the clean-shutdown checkpoint.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { produceToPartition } from '../../../src/broker/produce.js';
import { createLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { encodeBatch } from '../../../src/protocol/records.js';
import { TXN_STATE_TOPIC } from '../../../src/coordinator/txn/txn-state-store.js';
import { type RunningBroker, type StartOptions, startBroker } from '../../../src/start-broker.js';
import { defer, makeDataDir, waitFor } from '../../helpers/broker-process.js';

const OPTIONS: StartOptions = { port: 0, logLevel: 'silent', transactionStateNumPartitions: 2, offsetsTopicNumPartitions: 2 };

async function start(t: TestContext, dataDir: string, options: StartOptions = {}): Promise<RunningBroker> {
  const broker = await startBroker({ ...OPTIONS, dataDir, ...options });
  let closed = false;
  defer(t, () => (closed ? undefined : broker.close()));
  const close = broker.close.bind(broker);
  broker.close = async () => {
    closed = true;
    await close();
  };
  return broker;
}

async function produceTxn(broker: RunningBroker, topic: string, producerId: number, producerEpoch: number, values: string[]): Promise<void> {
  const batch = encodeBatch(values.map((v) => ({ value: Buffer.from(v) })), { producerId, producerEpoch, baseSequence: 0, transactional: true });
  const r = await produceToPartition(broker.broker, topic, 0, batch, -1, createLogger('silent'));
  assert.equal(r.errorCode, ErrorCode.NONE);
}

test('a transaction goes Empty -> Ongoing -> CompleteCommit and every state is in __transaction_state', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  await broker.broker.createTopic('out', 1, {});
  const { txns } = broker;
  const init = await txns.initProducerId('t1', 10_000);
  assert.equal(init.errorCode, ErrorCode.NONE);
  assert.equal(broker.broker.cluster.topic(TXN_STATE_TOPIC)?.configs['cleanup.policy'], 'compact');
  const added = await txns.addPartitions('t1', init.producerId, init.producerEpoch, [{ topic: 'out', partitions: [0] }]);
  assert.equal(added[0].partitions[0].errorCode, ErrorCode.NONE);
  assert.equal(txns.describe('t1').state, 'Ongoing');
  await produceTxn(broker, 'out', init.producerId, init.producerEpoch, ['a', 'b']);
  const p = broker.broker.partition('out', 0)!;
  assert.deepEqual([p.highWatermark, p.lastStableOffset], [2, 0]);
  assert.equal(await txns.endTxn('t1', init.producerId, init.producerEpoch, true), ErrorCode.NONE);
  assert.deepEqual([p.highWatermark, p.lastStableOffset], [3, 3]);
  assert.deepEqual(p.txns.abortedIn(0, 3), []);
  // A retried EndTxn of the same outcome succeeds; the other outcome is an invalid state.
  assert.equal(await txns.endTxn('t1', init.producerId, init.producerEpoch, true), ErrorCode.NONE);
  assert.equal(await txns.endTxn('t1', init.producerId, init.producerEpoch, false), ErrorCode.INVALID_TXN_STATE);
  assert.deepEqual(txns.list([], []), { unknownStates: [], transactions: [{ transactionalId: 't1', producerId: init.producerId, state: 'CompleteCommit' }] });
  assert.deepEqual(txns.list(['Ongoing', 'Bogus'], []).unknownStates, ['Bogus']);
});

test('requests with a stale epoch are fenced, unknown ids and unknown partitions refused', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  await broker.broker.createTopic('out', 1, {});
  const { txns } = broker;
  assert.equal((await txns.initProducerId('t', 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  assert.equal((await txns.initProducerId('t', broker.config.transactionMaxTimeoutMs + 1)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const first = await txns.initProducerId('t', 10_000);
  const second = await txns.initProducerId('t', 10_000);
  assert.deepEqual([second.producerId, second.producerEpoch], [first.producerId, first.producerEpoch + 1]);
  assert.equal(await txns.endTxn('t', first.producerId, first.producerEpoch, true), ErrorCode.PRODUCER_FENCED);
  assert.equal(await txns.endTxn('nope', first.producerId, 0, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(await txns.endTxn('t', second.producerId, second.producerEpoch, true), ErrorCode.INVALID_TXN_STATE);
  const added = await txns.addPartitions('t', second.producerId, second.producerEpoch, [{ topic: 'out', partitions: [0, 7] }]);
  assert.deepEqual(added[0].partitions.map((p) => p.errorCode), [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal(txns.describe('t').state, 'Empty');
  assert.equal(txns.describe('unknown').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
});

// The checkpoint is written without fsync at close: a crash may lose it or leave it empty.
for (const checkpoint of ['kept', 'removed', 'emptied'] as const) {
  test(`a transaction open across a restart (partition checkpoint ${checkpoint}) still holds the LSO, then times out and aborts`, async (t) => {
    const dataDir = await makeDataDir(t);
    const first = await start(t, dataDir);
    await first.broker.createTopic('out', 1, {});
    await first.broker.partition('out', 0)!.append(encodeBatch([{ value: Buffer.from('plain') }])).committed;
    const init = await first.txns.initProducerId('t', 1_000);
    await first.txns.addPartitions('t', init.producerId, init.producerEpoch, [{ topic: 'out', partitions: [0] }]);
    await produceTxn(first, 'out', init.producerId, init.producerEpoch, ['x', 'y']);
    await first.close();
    if (checkpoint === 'removed') fs.rmSync(path.join(dataDir, 'out-0', 'txn-checkpoint'));
    if (checkpoint === 'emptied') fs.writeFileSync(path.join(dataDir, 'out-0', 'txn-checkpoint'), '');

    const second = await start(t, dataDir, { transactionTimeoutCheckIntervalMs: 50 });
    const p = second.broker.partition('out', 0)!;
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [3, 1], 'the open transaction still bounds read_committed');
    const d = second.txns.describe('t');
    assert.deepEqual([d.state, d.producerId, d.topics], ['Ongoing', init.producerId, [{ topic: 'out', partitions: [0] }]]);

    await waitFor('the timed-out transaction to be aborted', () => second.txns.describe('t').state === 'CompleteAbort', 10_000);
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [4, 4]);
    assert.deepEqual(p.txns.abortedIn(0, 4), [{ producerId: init.producerId, firstOffset: 1, lastOffset: 3 }]);
    assert.equal(second.txns.describe('t').producerEpoch, init.producerEpoch + 1, 'the abort fenced the old epoch');
    await second.close();

    // The aborted index survives a further restart (from the file, or rebuilt by a scan).
    const third = await start(t, dataDir);
    assert.deepEqual(third.broker.partition('out', 0)!.txns.abortedIn(0, 4), [{ producerId: init.producerId, firstOffset: 1, lastOffset: 3 }]);
    assert.equal(third.txns.describe('t').state, 'CompleteAbort');
  });
}
