// confluent-kafka-python 1.7.0 (librdkafka 2.0.2) with enable.idempotence=True
// against a broker that loses acknowledgements (the test-only fault hook,
// src/server/fault-hook.ts): chosen Produce requests are appended, then the
// connection is closed instead of answering, with up to five requests in
// flight, so librdkafka retries batches the log already holds. Each record
// must be stored exactly once, in produce order, at the offset its delivery
// report names; a broker restart between a write and its retry must not change
// that. The client side is python/confluent_idempotent.py.

import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { REPO_ROOT, defer, makeDataDir } from '../helpers/broker-process.js';
import { produceFaultsOn, startRestartableBroker } from '../helpers/restartable-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';
import { runOk } from './run-command.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_idempotent.py');
const TOPIC = 'py-idempotent';

interface Produced {
  delivered: { value: string; offset?: number; error?: string }[];
  idempState: string;
  epochCount: number;
}

async function produceWithPython(bootstrap: string, count: number): Promise<Produced> {
  const r = await runOk(PYTHON, [SCRIPT, 'produce', bootstrap, TOPIC, String(count)], { timeoutMs: 90_000 });
  return JSON.parse(r.stdout.toString());
}

async function createTopic(t: TestContext, bootstrap: string): Promise<void> {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, 1);
}

/** Every record once, in produce order, at the offset of its delivery report; the stored sequence numbers run on without a gap. */
async function assertExactlyOnceInOrder(bootstrap: string, count: number, out: Produced): Promise<void> {
  assert.deepEqual(out.delivered.filter((d) => d.error !== undefined), [], 'no delivery failed');
  const reported = new Map(out.delivered.map((d) => [d.value, d.offset]));
  assert.equal(reported.size, count, 'one delivery report per record');
  const client = new KafkaClient({ bootstrap });
  try {
    const batches = await readStoredBatches(client, TOPIC, 0, { minRecords: count, timeoutMs: 3000 });
    const stored = recordsOf(batches).map((r) => ({ offset: r.offset, value: r.value!.toString() }));
    assert.deepEqual(
      stored,
      Array.from({ length: count }, (_, i) => ({ offset: i, value: `record ${i}` })),
      'each record once, in produce order',
    );
    for (const r of stored) assert.equal(reported.get(r.value), r.offset, `delivery report of ${r.value}`);
    let next = 0;
    for (const b of batches) {
      assert.equal(b.header.baseSequence, next, `batch at offset ${b.header.baseOffset} continues the sequence`);
      next += b.header.recordCount;
    }
  } finally {
    await client.close();
  }
}

test('librdkafka idempotent producer, five requests in flight, every fourth acknowledgement lost: each record stored once and in order', skipUnless(confluentPython), async (t) => {
  const count = 400;
  const faults = produceFaultsOn(TOPIC, (n) => (n % 4 === 0 ? 'close' : 'send'));
  const broker = await startRestartableBroker(t, await makeDataDir(t, 'sluice-pyidem-'), 0, faults);
  await createTopic(t, broker.bootstrap);

  const out = await produceWithPython(broker.bootstrap, count);

  await assertExactlyOnceInOrder(broker.bootstrap, count, out);
  assert.equal(out.idempState, 'Assigned');
  assert.ok(faults.seen() >= 20, `the producer sent ${faults.seen()} requests; at least 20 were wanted so that 5 acknowledgements get lost`);
  assert.ok(broker.broker.counters.duplicateBatches >= Math.floor(faults.seen() / 4), `retries recognised: ${broker.broker.counters.duplicateBatches} for ${Math.floor(faults.seen() / 4)} lost acknowledgements`);
});

test('librdkafka idempotent producer across a broker restart between a write and its retry: still each record once and in order', skipUnless(confluentPython), async (t) => {
  const count = 300;
  const dataDir = await makeDataDir(t, 'sluice-pyidem-');
  let withheld!: () => void;
  const acknowledgementLost = new Promise<void>((resolve) => (withheld = resolve));
  const faults = produceFaultsOn(TOPIC, (n) => {
    if (n !== 6) return 'send';
    withheld();
    return 'withhold';
  });
  const first = await startRestartableBroker(t, dataDir, 0, faults);
  await createTopic(t, first.bootstrap);

  const producing = produceWithPython(first.bootstrap, count);
  // The sixth request is in the log and its acknowledgement withheld (with those queued behind it).
  await acknowledgementLost;
  const appendedBeforeRestart = first.broker.partition(TOPIC, 0)!.logEndOffset;
  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port);
  const out = await producing;

  await assertExactlyOnceInOrder(second.bootstrap, count, out);
  assert.ok(appendedBeforeRestart > 0);
  assert.ok(second.broker.counters.duplicateBatches >= 1, 'the retry of the withheld request was recognised after the restart');
});
