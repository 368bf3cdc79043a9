// librdkafka 2.15 consumer groups on Sluice's classic group coordinator, with
// librdkafka's defaults (group.protocol=classic, enable.auto.commit=true) and
// each assignment strategy family: the default `range,roundrobin` (eager)
// and `cooperative-sticky` (incremental). Two members split the partitions
// (disjoint, covering the topic) and read each record once; when one leaves,
// its close commits what it read and the other member is given every
// partition and goes on from those commits, so nothing is read twice even
// with auto.offset.reset=earliest. A static member (KIP-345) restarted with
// its group.instance.id gets its partitions back without a rebalance. The
// KIP-848 protocol (group.protocol=consumer) has its own file,
// librdkafka-consumer-protocol.test.ts.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { type TestContext, after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { RdError, RdProducer, type RdMessage, callback, rdkafka, within } from './librdkafka-clients.js';

let client: KafkaClient;
let admin: Admin;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-groups-check' });
admin = new Admin(client);

const PARTITIONS = 4;

/** Emits 'change' after any member's rebalance or message: what `until` re-checks on. */
const groupChanged = new EventEmitter();

/** Resolves once `condition` holds, re-checked after every rebalance and message of any member. */
function until(what: string, condition: () => boolean, ms?: number): Promise<void> {
  if (condition()) return Promise.resolve();
  let check = (): void => {};
  return within(
    what,
    new Promise<void>((resolve) => {
      check = () => {
        if (condition()) resolve();
      };
      groupChanged.on('change', check);
    }),
    ms,
  ).finally(() => groupChanged.off('change', check));
}

/** A subscribed KafkaConsumer in flowing mode, recording what it was given and what it read. */
class Member {
  readonly messages: RdMessage[] = [];
  /** Partitions currently assigned, as librdkafka reports them after each rebalance. */
  partitions: number[] = [];
  readonly rebalances: { kind: 'assign' | 'revoke'; partitions: number[] }[] = [];
  private leaving = false;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private constructor(readonly name: string, readonly native: any) {}

  static async join(t: TestContext, name: string, group: string, topic: string, config: Record<string, unknown>): Promise<Member> {
    const native = new (rdkafka().KafkaConsumer)({
      'bootstrap.servers': broker.bootstrap,
      'group.id': group,
      'client.id': name,
      'auto.offset.reset': 'earliest',
      rebalance_cb: true,
      ...config,
    });
    const member = new Member(name, native);
    native.on('rebalance', (err: { code: number }, assignment: { partition: number }[]) => {
      const kind = err.code === RdError.ASSIGN_PARTITIONS ? 'assign' : 'revoke';
      member.rebalances.push({ kind, partitions: assignment.map((a) => a.partition).sort() });
      // node-rdkafka (un)assigns right after emitting; read the result once it has.
      queueMicrotask(() => {
        if (member.leaving) return; // the revoke of a close: librdkafka no longer reports assignments
        member.partitions = native.assignments().map((a: { partition: number }) => a.partition).sort();
        groupChanged.emit('change');
      });
    });
    native.on('data', (m: RdMessage) => {
      member.messages.push(m);
      groupChanged.emit('change');
    });
    await within(`${name} connection`, callback((cb) => native.connect({}, cb)));
    defer(t, () => member.leave());
    native.subscribe([topic]);
    native.consume();
    return member;
  }

  /** Values read from `partition`, in order. */
  valuesOf(partition: number): string[] {
    return this.messages.filter((m) => m.partition === partition).map((m) => m.value!.toString());
  }

  async leave(): Promise<void> {
    if (!this.native.isConnected()) return;
    this.leaving = true;
    await within(`${this.name} close`, callback((cb) => this.native.disconnect(cb)));
  }
}

/** Writes `perPartition` records to every partition; values name the round, the partition and the index. */
async function produceRound(t: TestContext, topic: string, round: string, perPartition: number): Promise<void> {
  const producer = await RdProducer.connect(t, broker.bootstrap);
  const records = [];
  for (let p = 0; p < PARTITIONS; p++) for (let i = 0; i < perPartition; i++) records.push({ partition: p, value: Buffer.from(`${round}-${p}-${i}`) });
  await producer.produce(topic, records);
  await producer.disconnect();
}

function roundValues(round: string, partition: number, perPartition: number): string[] {
  return Array.from({ length: perPartition }, (_, i) => `${round}-${partition}-${i}`);
}

const STRATEGIES = [
  { name: 'range,roundrobin (the default, eager)', config: {}, protocol: 'EAGER' },
  { name: 'cooperative-sticky', config: { 'partition.assignment.strategy': 'cooperative-sticky' }, protocol: 'COOPERATIVE' },
];

for (const strategy of STRATEGIES) {
  test(`${strategy.name}: two members split the partitions; when one leaves, the other gets them all and resumes from its commits`, skipUnless(kafkaJavascript), async (t) => {
    const tag = strategy.protocol.toLowerCase();
    const topic = `rdk-group-${tag}`;
    const group = `rdk-group-${tag}`;
    await admin.createTopic(topic, PARTITIONS);

    const a = await Member.join(t, 'member-a', group, topic, strategy.config);
    await until('a has every partition while alone', () => a.partitions.length === PARTITIONS);
    const b = await Member.join(t, 'member-b', group, topic, strategy.config);
    const split = () => a.partitions.length > 0 && b.partitions.length > 0 && a.partitions.length + b.partitions.length === PARTITIONS;
    await until('a and b split the partitions', split);
    assert.equal(a.native.rebalanceProtocol(), strategy.protocol);
    assert.deepEqual([...a.partitions, ...b.partitions].sort(), [0, 1, 2, 3], 'disjoint and covering');
    assert.equal(a.partitions.length, 2, `an even split: a has ${a.partitions}, b has ${b.partitions}`);

    // Every record written now is read exactly once across the group.
    await produceRound(t, topic, 'first', 3);
    const readAll = () => a.messages.length + b.messages.length >= PARTITIONS * 3;
    await until('the first round read', readAll);
    for (let p = 0; p < PARTITIONS; p++) {
      assert.deepEqual([...a.valuesOf(p), ...b.valuesOf(p)], roundValues('first', p, 3), `partition ${p} read once`);
    }

    const leaverPartitions = b.partitions;
    const rebalancesBefore = a.rebalances.length;
    await b.leave();
    await until('a has every partition after b left', () => a.partitions.length === PARTITIONS);
    const afterLeave = a.rebalances.slice(rebalancesBefore);
    if (strategy.protocol === 'COOPERATIVE') {
      assert.deepEqual(afterLeave, [{ kind: 'assign', partitions: leaverPartitions }], "incremental: a keeps its partitions and is given b's");
    } else {
      assert.deepEqual(afterLeave.at(-1), { kind: 'assign', partitions: [0, 1, 2, 3] }, 'eager: a is given the whole topic anew');
    }

    await produceRound(t, topic, 'second', 2);
    await until('a read the second round', () => a.messages.filter((m) => m.value!.toString().startsWith('second')).length === PARTITIONS * 2);
    for (const p of leaverPartitions) {
      assert.deepEqual(a.valuesOf(p), roundValues('second', p, 2), `partition ${p}: resumed from b's commit, nothing read twice`);
    }
    const committed = await admin.fetchOffsets(group);
    assert.ok(
      leaverPartitions.every((p) => committed.find((c) => c.topic === topic && c.partition === p)?.offset === 3),
      `b's close committed offset 3 for its partitions: ${JSON.stringify(committed)}`,
    );
  });
}

// KIP-345: a static member's close sends no LeaveGroup, and its successor
// with the same group.instance.id takes over its member id's place.
test('static membership: a member restarted with the same group.instance.id gets its partitions back and the other member sees no rebalance', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-group-static';
  const group = 'rdk-group-static';
  await admin.createTopic(topic, PARTITIONS);
  const a = await Member.join(t, 'static-a', group, topic, { 'group.instance.id': 'instance-a' });
  await until('a has every partition while alone', () => a.partitions.length === PARTITIONS);
  const b = await Member.join(t, 'static-b', group, topic, { 'group.instance.id': 'instance-b' });
  const split = () => a.partitions.length === PARTITIONS / 2 && b.partitions.length === PARTITIONS / 2;
  await until('a and b split the partitions', split);
  const bPartitions = b.partitions;
  const aRebalances = a.rebalances.length;

  await b.leave();
  const restarted = await Member.join(t, 'static-b-again', group, topic, { 'group.instance.id': 'instance-b' });
  await until('the restarted b has partitions', () => restarted.partitions.length > 0);
  assert.deepEqual(restarted.partitions, bPartitions, "b's partitions again");
  assert.deepEqual(a.rebalances.slice(aRebalances), [], 'a kept its partitions throughout');
  const [described] = await admin.describeGroups([group]);
  assert.deepEqual(
    described.members.map((m) => m.groupInstanceId).sort(),
    ['instance-a', 'instance-b'],
  );
});

test('a regex subscription (^rdk-pattern-.*) is given the partitions of every matching topic and none of the others', skipUnless(kafkaJavascript), async (t) => {
  await admin.createTopic('rdk-pattern-one', 2);
  await admin.createTopic('rdk-pattern-two', 1);
  await admin.createTopic('rdk-not-pattern', 1);
  const member = await Member.join(t, 'pattern-member', 'rdk-group-pattern', '^rdk-pattern-.*', {});
  await until('the pattern member has three partitions', () => member.native.assignments().length === 3);
  assert.deepEqual(
    member.native
      .assignments()
      .map((a: { topic: string; partition: number }) => `${a.topic}-${a.partition}`)
      .sort(),
    ['rdk-pattern-one-0', 'rdk-pattern-one-1', 'rdk-pattern-two-0'],
  );
});
