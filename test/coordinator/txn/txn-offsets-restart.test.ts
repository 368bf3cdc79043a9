// TxnOffsetCommit offsets are durable before EndTxn: they are written to
// __consumer_offsets as a transactional batch, so a broker restarted (SIGTERM
// or SIGKILL) between TxnOffsetCommit and EndTxn still commits them (or drops
// them on abort). Until then OffsetFetch returns the previous offset, and a
// require_stable OffsetFetch gets UNSTABLE_OFFSET_COMMIT. Raw requests against
// a `sluice serve` child process.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { BrokerConnection } from '../../../src/client/connection.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../../src/protocol/messages/add-offsets-to-txn.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../../src/protocol/messages/create-topics.js';
import { EndTxnRequest, EndTxnResponse } from '../../../src/protocol/messages/end-txn.js';
import { InitProducerIdRequest, InitProducerIdResponse } from '../../../src/protocol/messages/init-producer-id.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../../../src/protocol/messages/offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../../../src/protocol/messages/offset-fetch.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../../src/protocol/messages/txn-offset-commit.js';
import { type BrokerProcess, defer, makeDataDir, spawnBroker } from '../../helpers/broker-process.js';

const ARGS = ['--offsets-topic-num-partitions', '3', '--transaction-state-num-partitions', '2'];
const GROUP = 'g';
const TOPIC = 't';
const TXN_ID = 'copier';

async function connect(t: TestContext, broker: BrokerProcess): Promise<BrokerConnection> {
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'txn-offsets-restart-test' });
  defer(t, () => conn.close());
  return conn;
}

/** OffsetFetch v7 of GROUP/TOPIC/0: [offset, partition error]. */
async function fetchOffset(conn: BrokerConnection, requireStable: boolean): Promise<[number, number]> {
  const res = await conn.sendVersion({ request: OffsetFetchRequest, response: OffsetFetchResponse }, 7, {
    groupId: GROUP,
    topics: [{ name: TOPIC, partitionIndexes: [0] }],
    requireStable,
  });
  assert.equal(res.errorCode, ErrorCode.NONE);
  const p = res.topics[0].partitions[0];
  return [Number(p.committedOffset), p.errorCode];
}

for (const stop of ['SIGTERM', 'SIGKILL'] as const) {
  for (const commit of [true, false]) {
    test(`TxnOffsetCommit survives a ${stop} restart before EndTxn(${commit ? 'commit' : 'abort'})`, async (t) => {
      const dataDir = await makeDataDir(t);
      const first = await spawnBroker(t, { dataDir, args: ARGS });
      const conn = await connect(t, first);

      const created = await conn.send({ request: CreateTopicsRequest, response: CreateTopicsResponse }, {
        topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 10_000,
      });
      assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
      // The offset before the transaction.
      const committed = await conn.send({ request: OffsetCommitRequest, response: OffsetCommitResponse }, {
        groupId: GROUP,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      assert.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.NONE);

      const init = await conn.send({ request: InitProducerIdRequest, response: InitProducerIdResponse }, {
        transactionalId: TXN_ID,
        transactionTimeoutMs: 60_000,
      });
      assert.equal(init.errorCode, ErrorCode.NONE);
      const producerId = Number(init.producerId);
      const producerEpoch = init.producerEpoch;
      const added = await conn.send({ request: AddOffsetsToTxnRequest, response: AddOffsetsToTxnResponse }, {
        transactionalId: TXN_ID,
        producerId,
        producerEpoch,
        groupId: GROUP,
      });
      assert.equal(added.errorCode, ErrorCode.NONE);
      const txnCommit = await conn.send({ request: TxnOffsetCommitRequest, response: TxnOffsetCommitResponse }, {
        transactionalId: TXN_ID,
        groupId: GROUP,
        producerId,
        producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'in txn' }] }],
      });
      assert.equal(txnCommit.topics[0].partitions[0].errorCode, ErrorCode.NONE);
      assert.deepEqual(await fetchOffset(conn, false), [7, ErrorCode.NONE], 'the transaction has not committed yet');
      assert.deepEqual(await fetchOffset(conn, true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);

      conn.close();
      if (stop === 'SIGKILL') await first.kill9();
      else assert.equal(await first.stop(), 0);

      const second = await spawnBroker(t, { dataDir, args: ARGS });
      const again = await connect(t, second);
      assert.deepEqual(await fetchOffset(again, false), [7, ErrorCode.NONE], 'still pending after the restart');
      assert.deepEqual(await fetchOffset(again, true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT], 'the pending offsets were replayed');

      const ended = await again.send({ request: EndTxnRequest, response: EndTxnResponse }, {
        transactionalId: TXN_ID,
        producerId,
        producerEpoch,
        committed: commit,
      });
      assert.equal(ended.errorCode, ErrorCode.NONE);
      const expected = commit ? 42 : 7;
      assert.deepEqual(await fetchOffset(again, false), [expected, ErrorCode.NONE]);
      assert.deepEqual(await fetchOffset(again, true), [expected, ErrorCode.NONE]);
      again.close();

      // The outcome is in the log: a further restart (crash) replays the same offset.
      await second.kill9();
      const third = await spawnBroker(t, { dataDir, args: ARGS });
      const last = await connect(t, third);
      assert.deepEqual(await fetchOffset(last, true), [expected, ErrorCode.NONE]);
    });
  }
}
