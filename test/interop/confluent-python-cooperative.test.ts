// confluent-kafka-python 1.7.0 (Debian, librdkafka 2.0.2) consumers with
// partition.assignment.strategy cooperative-sticky, each in a process of its
// own (python/confluent_cooperative_member.py), in one group with Sluice
// GroupConsumers; the Python member joins first and leads. When a Sluice
// member joins, the others give up exactly the partitions it takes and keep
// the rest; when the Python member leaves, the Sluice members revoke
// nothing and share its partitions. Every partition is owned once at each
// step and no record is lost.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { REPO_ROOT, defer, waitFor } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';
import { cooperativeOptions, startGroupMember } from '../helpers/group-member.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';
import { type CooperativeMember, type Read, WAIT_MS, assertGaveUpOnlyWhatMoved, settled, sluiceMember, snapshot } from './cooperative-members.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_cooperative_member.py');
const TOPIC = 'py-coop';
const GROUP = 'py-coop-group';
const PARTITIONS = 6;

interface PythonEvent {
  event: 'assign' | 'revoke' | 'lost' | 'record' | 'closed';
  partitions?: number[];
  partition?: number;
  offset?: number;
}

/** A Python member; leave() closes its stdin, so it commits, leaves the group and exits. */
function spawnPythonMember(t: TestContext, bootstrap: string, name: string): CooperativeMember & { leave(): Promise<void> } {
  const child = spawn(PYTHON, [SCRIPT, bootstrap, TOPIC, GROUP], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: PythonEvent[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as PythonEvent));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const owned = new Set<number>();
  const partitions = () => {
    owned.clear();
    for (const e of events) for (const p of e.partitions ?? []) e.event === 'assign' ? owned.add(p) : owned.delete(p);
    return [...owned].sort((a, b) => a - b);
  };
  return {
    name,
    partitions,
    revoked: () => events.filter((e) => e.event === 'revoke').map((e) => e.partitions!),
    lost: () => events.some((e) => e.event === 'lost'),
    reads: () => events.filter((e): e is Required<PythonEvent> => e.event === 'record').map((e): Read => ({ partition: e.partition, offset: e.offset })),
    leave: async () => {
      child.stdin!.end();
      await exited;
      assert.equal(child.exitCode, 0, `${name} exited with ${child.exitCode}`);
    },
  };
}

test('cooperative-sticky with a confluent-kafka-python leader and Sluice members: joining moves only what the newcomer takes, leaving revokes nothing', skipUnless(confluentPython), async (t) => {
  defer(t, () => {}); // registered first: members close before the broker does
  const broker = await startTestBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const producer = new Producer(client);
  await admin.createTopic(TOPIC, PARTITIONS);
  const all = Array.from({ length: PARTITIONS }, (_, i) => i);
  let produced = 0;
  const produceAll = async () => {
    await producer.sendBatch(TOPIC, all.map((partition) => ({ partition, key: null, value: Buffer.from(`round ${produced}`) })));
    produced++;
  };
  const readKeys = (members: CooperativeMember[]) => new Set(members.flatMap((m) => m.reads()).map((r) => `${r.partition}:${r.offset}`));
  const sluiceOptions = cooperativeOptions(GROUP, TOPIC);

  const python = spawnPythonMember(t, broker.bootstrap, 'python');
  await settled(admin, GROUP, [python], PARTITIONS);
  const s1 = sluiceMember('sluice-1', startGroupMember(t, broker.bootstrap, 'sluice-1', sluiceOptions));
  await settled(admin, GROUP, [python, s1], PARTITIONS);
  assert.deepEqual([python, s1].map((m) => m.partitions().length), [3, 3]);
  await produceAll();
  await waitFor('round one to be read', () => readKeys([python, s1]).size === PARTITIONS, WAIT_MS);

  const before = snapshot([python, s1]);
  const s2 = sluiceMember('sluice-2', startGroupMember(t, broker.bootstrap, 'sluice-2', sluiceOptions));
  await settled(admin, GROUP, [python, s1, s2], PARTITIONS);
  assert.deepEqual([python, s1, s2].map((m) => m.partitions().length), [2, 2, 2]);
  assertGaveUpOnlyWhatMoved([python, s1], before, s2);
  await produceAll();
  await waitFor('round two to be read', () => readKeys([python, s1, s2]).size === 2 * PARTITIONS, WAIT_MS);

  const pythonHad = python.partitions();
  const sluiceBefore = snapshot([s1, s2]);
  await python.leave();
  await settled(admin, GROUP, [s1, s2], PARTITIONS);
  assertGaveUpOnlyWhatMoved([s1, s2], sluiceBefore);
  assert.deepEqual([...s1.partitions(), ...s2.partitions()].filter((p) => pythonHad.includes(p)).sort((a, b) => a - b), pythonHad);
  await produceAll();
  await waitFor('round three to be read', () => readKeys([python, s1, s2]).size === 3 * PARTITIONS, WAIT_MS);
});
