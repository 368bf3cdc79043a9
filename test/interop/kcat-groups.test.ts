// kcat (1.7.1 on librdkafka 2.0.2) balanced consumers (`kcat -G group topic`)
// against Sluice's group coordinator: two kcat processes in one group split a
// 4-partition topic (librdkafka's leader assigns, with its range assignor),
// read every record exactly once between them, and the offsets they commit
// when they exit are what `sluice group describe` then reports, with zero lag.
// While they run, describe names each partition's kcat member. A kcat member
// and a Sluice GroupConsumer also share one group, whichever of them leads.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { type TestContext, test } from 'node:test';
import { Admin, GroupConsumer, KafkaClient, Producer } from '../../src/client/index.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { runCli } from '../helpers/cli.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';

/** A guard that fails the test if the group never settles; not a synchronisation. */
const GROUP_WAIT_MS = 20_000;

interface KcatMember {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM: kcat closes its consumer (committing, leaving the group); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `kcat -G`: a balanced consumer of `topic` in `group`, printing
 * "partition offset value" lines unbuffered (-u). Fast group timings, and
 * earliest for partitions without a commit. (auto.commit.interval.ms cannot
 * be lowered from kcat's -X, which applies it to the topic config, so the
 * test relies on the commit librdkafka makes when the consumer closes.)
 */
function startKcat(t: TestContext, bootstrap: string, group: string, topic: string, clientId: string): KcatMember {
  const args = ['-b', bootstrap, '-G', group, topic, '-u', '-f', '%p %o %s\n'];
  for (const prop of ['auto.offset.reset=earliest', 'session.timeout.ms=6000', 'heartbeat.interval.ms=200', `client.id=${clientId}`, 'fetch.wait.max.ms=50']) args.push('-X', prop);
  const child = spawn(KCAT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

test('two kcat -G members split the partitions, read every record once, and sluice group describe shows their members and commits', skipUnless(kcat), async (t) => {
  defer(t, () => {}); // kcat processes and the client go before the broker (defer's hook is registered first)
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('balanced', 4);

  const a = startKcat(t, broker.bootstrap, 'kgroup', 'balanced', 'kcat-a');
  const b = startKcat(t, broker.bootstrap, 'kgroup', 'balanced', 'kcat-b');
  const owners = new Map<number, string>();
  await waitFor(
    'both kcat members to be Stable with two partitions each',
    async () => {
      const [g] = await admin.describeGroups(['kgroup']);
      if (g.state !== 'Stable' || g.members.length !== 2) return false;
      if (!g.members.every((m) => m.assignment.flatMap((tp) => tp.partitions).length === 2)) return false;
      for (const m of g.members) for (const tp of m.assignment) for (const p of tp.partitions) owners.set(p, m.clientId);
      return true;
    },
    GROUP_WAIT_MS,
  );
  assert.deepEqual([...owners.keys()].sort(), [0, 1, 2, 3]);
  assert.deepEqual([...new Set(owners.values())].sort(), ['kcat-a', 'kcat-b']);

  const producer = new Producer(client);
  const records = [];
  for (let p = 0; p < 4; p++) for (let i = 0; i < 5; i++) records.push({ partition: p, key: null, value: Buffer.from(`v-${p}-${i}`) });
  await producer.sendBatch('balanced', records);

  const lines = (m: KcatMember) => m.stdout().split('\n').filter((l) => l !== '');
  await waitFor('kcat to print all 20 records', () => lines(a).length + lines(b).length >= 20, GROUP_WAIT_MS);
  const expected = [0, 1, 2, 3].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `${p} ${i} v-${p}-${i}`));
  assert.deepEqual([...lines(a), ...lines(b)].sort(), expected.sort());
  for (const [m, id] of [[a, 'kcat-a'], [b, 'kcat-b']] as const) {
    for (const line of lines(m)) assert.equal(owners.get(Number(line.split(' ')[0])), id, `${id} printed ${line}, a partition it does not own`);
  }

  const live = await runCli(['group', 'describe', 'kgroup', '--json', '-b', broker.bootstrap]);
  assert.equal(live.code, 0, live.stderr);
  const during = JSON.parse(live.stdout);
  assert.equal(during.state, 'Stable');
  assert.equal(during.members, 2);
  assert.deepEqual(
    during.partitions.map((p: { partition: number; clientId: string; host: string }) => [p.partition, p.clientId, p.host]),
    [0, 1, 2, 3].map((p) => [p, owners.get(p), '127.0.0.1']),
  );

  // On SIGTERM kcat closes its consumer: librdkafka commits what was consumed and leaves.
  assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0]);
  const r = await runCli(['group', 'describe', 'kgroup', '-b', broker.bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.deepEqual(rows.slice(0, 5).map((l) => l.split(/\s+/)), [['GROUP', 'kgroup'], ['STATE', 'Empty'], ['PROTOCOL', '-'], ['MEMBERS', '0'], ['TOTAL-LAG', '0']]);
  assert.deepEqual(
    rows.slice(7).map((l) => l.split(/\s+/)),
    [0, 1, 2, 3].map((p) => ['balanced', String(p), '5', '5', '0', '-', '-', '-']),
  );
});

// The first member of a group leads it (it stays leader while it rejoins), so
// the join order decides whose range assignor computes the assignment.
for (const first of ['kcat', 'sluice'] as const) {
  test(`kcat -G and a Sluice GroupConsumer share one group (${first === 'kcat' ? 'librdkafka' : 'Sluice'} leads): each gets two partitions`, skipUnless(kcat), async (t) => {
    defer(t, () => {});
    const broker = await startInProcessBroker(t);
    const client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'sluice-member' });
    defer(t, () => client.close());
    const admin = new Admin(client);
    await admin.createTopic('mixed', 4);
    const stableWith = async (members: number) => {
      const [g] = await admin.describeGroups(['mixed-group']);
      return g.state === 'Stable' && g.members.length === members;
    };

    const startOurs = () => {
      const consumer = new GroupConsumer(client, { groupId: 'mixed-group', topics: ['mixed'], sessionTimeoutMs: 6000, heartbeatIntervalMs: 100, maxWaitMs: 50 });
      let polling = true;
      const loop = (async () => {
        while (polling) await consumer.poll();
      })();
      loop.catch(() => {});
      defer(t, async () => {
        polling = false;
        consumer.wakeup();
        await loop;
        await consumer.close();
      });
      return consumer;
    };
    let ours: GroupConsumer;
    let kcat: KcatMember;
    if (first === 'kcat') {
      kcat = startKcat(t, broker.bootstrap, 'mixed-group', 'mixed', 'kcat-m');
      await waitFor('the group of kcat alone to be Stable', () => stableWith(1), GROUP_WAIT_MS);
      ours = startOurs();
    } else {
      ours = startOurs();
      await waitFor('the group of our member alone to be Stable', () => stableWith(1), GROUP_WAIT_MS);
      kcat = startKcat(t, broker.bootstrap, 'mixed-group', 'mixed', 'kcat-m');
    }

    let byClient = new Map<string, number[]>();
    await waitFor(
      'the group to be Stable with both members holding two partitions',
      async () => {
        const [g] = await admin.describeGroups(['mixed-group']);
        byClient = new Map(g.members.map((m) => [m.clientId, m.assignment.flatMap((tp) => tp.partitions).sort()]));
        return g.state === 'Stable' && g.members.length === 2 && [...byClient.values()].every((ps) => ps.length === 2);
      },
      GROUP_WAIT_MS,
    );
    assert.deepEqual([...byClient.keys()].sort(), ['kcat-m', 'sluice-member']);
    assert.deepEqual([...byClient.values()].flat().sort(), [0, 1, 2, 3]);
    await waitFor('our member to take its assignment', () => ours.assignment().length > 0, GROUP_WAIT_MS);
    assert.deepEqual(ours.assignment(), [{ topic: 'mixed', partitions: byClient.get('sluice-member') }]);
    assert.equal(await kcat.stop(), 0);
  });
}
