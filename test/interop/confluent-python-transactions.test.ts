// confluent-kafka-python 1.7.0 (librdkafka 2.0.2) transactions against
// Sluice's transaction coordinator: init_transactions, a committed
// transaction, an aborted one, another committed one, and one left open.
// An assign()ed read_committed consumer sees exactly the committed records,
// in order, and reaches the end of each partition (the last stable offset)
// without waiting for the open transaction; a read_uncommitted consumer sees
// every record, aborted and open ones included. The client side is
// python/confluent_transactions.py.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { REPO_ROOT, defer } from '../helpers/broker-process.js';
import { runOk } from './run-command.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_transactions.py');
const TOPIC = 'py-txn';
const PARTITIONS = 2;
/** Records per transaction in the script; record i goes to partition i % PARTITIONS. */
const PER_TRANSACTION = 12;

interface Consumed {
  partition: number;
  offset: number;
  value: string;
}

/** The values the script wrote with `tag`, by partition, in produce order. */
function written(tag: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (let p = 0; p < PARTITIONS; p++) out.set(p, []);
  for (let i = 0; i < PER_TRANSACTION; i++) out.get(i % PARTITIONS)!.push(`${tag} ${i}`);
  return out;
}

function byPartition(records: Consumed[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (let p = 0; p < PARTITIONS; p++) out.set(p, records.filter((r) => r.partition === p).map((r) => r.value));
  return out;
}

test('read_committed sees the committed transactions only, in order, and reaches the end before an open one; read_uncommitted sees every record', skipUnless(confluentPython), async (t) => {
  const broker = await startTestBroker(t, { transactionStateNumPartitions: 3 });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, PARTITIONS);

  const r = await runOk(PYTHON, [SCRIPT, 'run', broker.bootstrap, TOPIC, String(PARTITIONS)], { timeoutMs: 50_000 });
  const out: { committed: Consumed[]; uncommitted: Consumed[] } = JSON.parse(r.stdout.toString());

  const tags = ['commit-1', 'abort', 'commit-2', 'open'];
  const expect = (wanted: string[]) => new Map([...Array(PARTITIONS).keys()].map((p) => [p, wanted.flatMap((tag) => written(tag).get(p)!)]));
  assert.deepEqual(byPartition(out.committed), expect(['commit-1', 'commit-2']));
  assert.deepEqual(byPartition(out.uncommitted), expect(tags));

  // Offsets rise within each partition, and both consumers agree on the offset of every committed record.
  for (const records of [out.committed, out.uncommitted]) {
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = records.filter((x) => x.partition === p).map((x) => x.offset);
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
    }
  }
  const uncommittedAt = new Map(out.uncommitted.map((x) => [x.value, `${x.partition}:${x.offset}`]));
  for (const c of out.committed) assert.equal(uncommittedAt.get(c.value), `${c.partition}:${c.offset}`, c.value);
});
