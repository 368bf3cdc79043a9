// Regression: CreateTopics racing DeleteTopics on one name threw in the
// broker (ENOENT on aborted-txns.tmp: the deletion removed the directories the
// creation was still opening), and the client's connection was dropped.
// Creations, deletions and partition additions on one name now run one after
// another: every request is answered with NONE or the error code of the
// order it ran in, and the topic left behind is whole.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { Admin } from '../../src/client/admin.js';
import { KafkaError } from '../../src/client/client-error.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBroker } from '../helpers/broker.js';

const ROUNDS = 40;
const PARTITIONS = 4;
/** The answers a create or delete may get when another request on the name ran first. */
const EXPECTED = new Set<number>([ErrorCode.TOPIC_ALREADY_EXISTS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

test('CreateTopics racing DeleteTopics on one name is answered with an error code, never a dropped connection, and leaves a whole topic', async (t) => {
  const broker = await startTestBroker(t);
  // Separate connections, so the requests are served concurrently.
  const clients = [0, 1, 2].map(() => new KafkaClient({ bootstrap: broker.bootstrap }));
  t.after(() => Promise.all(clients.map((c) => c.close())));
  const [creator, deleter, recreator] = clients.map((c) => new Admin(c));
  const answers = new Map<string, number>();

  for (let round = 0; round < ROUNDS; round++) {
    const outcomes = await Promise.allSettled([creator.createTopic('race', PARTITIONS), deleter.deleteTopic('race'), recreator.createTopic('race', PARTITIONS)]);
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        answers.set('NONE', (answers.get('NONE') ?? 0) + 1);
        continue;
      }
      const err = outcome.reason;
      assert.ok(err instanceof KafkaError && EXPECTED.has(err.errorCode), `round ${round}: answered with an expected error code, got ${String(err)}`);
      answers.set(String(err.errorCode), (answers.get(String(err.errorCode)) ?? 0) + 1);
    }
    // Whatever order they ran in, the name now has a whole topic or none.
    const exists = (await creator.listTopics()).some((tp) => tp.name === 'race');
    for (let p = 0; p < PARTITIONS; p++) {
      assert.equal(fs.existsSync(path.join(broker.config.dataDir, `race-${p}`)), exists, `round ${round}: race-${p} exists exactly when the topic does`);
    }
    if (exists) await new Producer(clients[0], { acks: -1 }).sendBatch('race', [{ value: Buffer.from(`round ${round}`), partition: PARTITIONS - 1 }]);
  }
  assert.ok((answers.get('NONE') ?? 0) >= ROUNDS, `requests succeeded: ${JSON.stringify([...answers])}`);
});
