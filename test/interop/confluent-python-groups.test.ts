// confluent-kafka-python 1.7.0 (Debian, librdkafka 2.0.2) subscribe()d
// consumers against Sluice's group coordinator, with a broker in a child
// process: two consumers of one group split a topic's partitions, read every
// record once and commit; the broker is killed (SIGKILL) and started again on
// the same data directory; the committed offsets are still there (Admin and
// `sluice group describe` show them) and a new pair of consumers in the group
// resumes from them, reading only what was produced since. The client side
// lives in python/confluent_groups.py, which prints JSON for these assertions.

import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { REPO_ROOT, defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { runCli } from '../helpers/cli.js';
import { runOk } from './run-command.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_groups.py');
const TOPIC = 'py-groups';
const GROUP = 'py-group';
const PARTITIONS = 4;
const PER_ROUND = 5;

interface Round {
  assignments: number[][];
  records: { consumer: number; partition: number; offset: number; value: string }[];
  committed: Record<string, number>;
}

async function round(bootstrap: string, tag: string): Promise<Round> {
  const r = await runOk(PYTHON, [SCRIPT, 'round', bootstrap, TOPIC, GROUP, String(PARTITIONS), String(PER_ROUND), tag], { timeoutMs: 40_000 });
  return JSON.parse(r.stdout.toString());
}

function adminFor(t: TestContext, bootstrap: string): Admin {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  return new Admin(client);
}

/** Checks a round: a split of the partitions, each consumer reading only its own, every record of the round once and nothing else, commits at the end. */
function assertRound(r: Round, tag: string, from: number): void {
  assert.equal(r.assignments.length, 2);
  assert.ok(r.assignments.every((a) => a.length > 0), `both consumers hold partitions: ${JSON.stringify(r.assignments)}`);
  assert.deepEqual([...r.assignments[0], ...r.assignments[1]].sort(), [0, 1, 2, 3]);
  for (const rec of r.records) assert.ok(r.assignments[rec.consumer].includes(rec.partition), `consumer ${rec.consumer} read partition ${rec.partition}, not its own`);
  const expected = [0, 1, 2, 3].flatMap((p) => Array.from({ length: PER_ROUND }, (_, i) => `${p}:${from + i}:${tag}-${p}-${i}`));
  assert.deepEqual(r.records.map((rec) => `${rec.partition}:${rec.offset}:${rec.value}`).sort(), expected.sort());
  assert.deepEqual(r.committed, { '0': from + PER_ROUND, '1': from + PER_ROUND, '2': from + PER_ROUND, '3': from + PER_ROUND });
}

async function describeOffsets(bootstrap: string): Promise<[number, number | null, number | null][]> {
  const r = await runCli(['group', 'describe', GROUP, '--json', '-b', bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).partitions.map((p: { partition: number; currentOffset: number | null; lag: number | null }) => [p.partition, p.currentOffset, p.lag]);
}

test('subscribed consumers split and commit; after a broker crash and restart a new pair resumes from the committed offsets', skipUnless(confluentPython), async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  await adminFor(t, first.bootstrap).createTopic(TOPIC, PARTITIONS);

  const one = await round(first.bootstrap, 'one');
  assertRound(one, 'one', 0);
  assert.deepEqual(await describeOffsets(first.bootstrap), [0, 1, 2, 3].map((p) => [p, 5, 0]));

  await first.kill9();
  const second = await spawnBroker(t, { dataDir });
  const offsets = await adminFor(t, second.bootstrap).fetchOffsets(GROUP);
  assert.deepEqual(offsets.map((o) => [o.topic, o.partition, o.offset]).sort(), [0, 1, 2, 3].map((p) => [TOPIC, p, 5]));

  // Without the commits the consumers would start at offset 0 and read round one again.
  const two = await round(second.bootstrap, 'two');
  assertRound(two, 'two', 5);
  assert.deepEqual(await describeOffsets(second.bootstrap), [0, 1, 2, 3].map((p) => [p, 10, 0]));
});
