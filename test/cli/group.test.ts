// `sluice group` and `sluice consume --group`: lag figures are exactly what
// was produced minus what a group consumed (the consumer commits what it
// printed when it exits); a second consume in the group resumes there;
// reset-offsets (earliest, offset, time, latest, dry run) moves where the next
// consume starts; reset and delete are refused while a member is active,
// whose id, host and client id describe shows; delete removes the group;
// Ctrl-C of a member still waiting in a rebalance exits at once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, GroupConsumer, KafkaClient } from '../../src/client/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { runCli, startCli } from '../helpers/cli.js';

async function ok(args: string[], input?: string): Promise<string> {
  const r = await runCli(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `sluice ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/** Produces `count` lines "<tag>-<i>" to one partition. */
async function produce(bootstrap: string, topic: string, partition: number, count: number, tag: string): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `${tag}-${i}\n`).join('');
  await ok(['produce', topic, '-p', String(partition), '-b', bootstrap], lines);
}

/** `consume --group` until `count` records, printed as "partition:offset"; returns them. */
async function consumeInGroup(bootstrap: string, topic: string, group: string, count: number, ...flags: string[]): Promise<string[]> {
  const out = await ok(['consume', topic, '--group', group, '-n', String(count), '-f', '%p:%o', '-b', bootstrap, ...flags]);
  return out.trim().split('\n');
}

interface LagRow {
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

async function describe(bootstrap: string, group: string): Promise<{ state: string; members: number; totalLag: number; partitions: LagRow[] }> {
  return JSON.parse(await ok(['group', 'describe', group, '--json', '-b', bootstrap]));
}

const offsetsOf = (partitions: LagRow[]) => partitions.map((p) => [p.partition, p.currentOffset]);

test('describe shows per-partition lag of produced minus consumed, and the total; consuming again resumes from the commits', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  await ok(['topic', 'create', 'lag', '-p', '3', ...b]);
  const produced = [10, 7, 4];
  for (const [p, n] of produced.entries()) await produce(bootstrap, 'lag', p, n, `p${p}`);

  const first = await consumeInGroup(bootstrap, 'lag', 'g1', 12, '--from-beginning');
  const consumed = [0, 1, 2].map((p) => first.filter((line) => line.startsWith(`${p}:`)).length);
  // Each partition was read from its start, in order.
  for (const p of [0, 1, 2]) {
    assert.deepEqual(first.filter((line) => line.startsWith(`${p}:`)), Array.from({ length: consumed[p] }, (_, i) => `${p}:${i}`));
  }
  assert.equal(consumed[0] + consumed[1] + consumed[2], 12);

  const d = await describe(bootstrap, 'g1');
  assert.equal(d.state, 'Empty');
  assert.equal(d.members, 0);
  assert.deepEqual(
    d.partitions.map((p) => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag]),
    [0, 1, 2].map((p) => ['lag', p, consumed[p], produced[p], produced[p] - consumed[p]]),
  );
  assert.equal(d.totalLag, 21 - 12);

  // The table carries the same figures; '-' where no member owns a partition.
  const text = await ok(['group', 'describe', 'g1', ...b]);
  const lines = text.trim().split('\n');
  assert.deepEqual(lines.slice(0, 5).map((l) => l.split(/\s+/)), [['GROUP', 'g1'], ['STATE', 'Empty'], ['PROTOCOL', '-'], ['MEMBERS', '0'], ['TOTAL-LAG', '9']]);
  assert.deepEqual(lines[6].split(/\s+/), ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
  assert.deepEqual(
    lines.slice(7).map((l) => l.split(/\s+/)),
    [0, 1, 2].map((p) => ['lag', String(p), String(consumed[p]), String(produced[p]), String(produced[p] - consumed[p]), '-', '-', '-']),
  );

  // The next run reads exactly what the first left.
  const second = await consumeInGroup(bootstrap, 'lag', 'g1', 9);
  const rest = [0, 1, 2].flatMap((p) => Array.from({ length: produced[p] - consumed[p] }, (_, i) => `${p}:${consumed[p] + i}`));
  assert.deepEqual(second.sort(), rest.sort());
  const after = await describe(bootstrap, 'g1');
  assert.deepEqual(offsetsOf(after.partitions), [[0, 10], [1, 7], [2, 4]]);
  assert.equal(after.totalLag, 0);
});

test('reset-offsets to earliest, an offset, a time and latest moves where the group reads next; --dry-run commits nothing', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  await ok(['topic', 'create', 'reset', '-p', '2', ...b]);
  for (const p of [0, 1]) await produce(bootstrap, 'reset', p, 3, 'early');
  // The cut is one ms after the newest early record, read back from the broker, so no early record can share it.
  const times = await ok(['consume', 'reset', '--from-beginning', '-n', '6', '-f', '%T', ...b]);
  const cut = Math.max(...times.trim().split('\n').map(Number)) + 1;
  for (const p of [0, 1]) await produce(bootstrap, 'reset', p, 2, 'late');
  const all = [0, 1].flatMap((p) => [0, 1, 2, 3, 4].map((o) => `${p}:${o}`));

  assert.deepEqual((await consumeInGroup(bootstrap, 'reset', 'g2', 10, '--from-beginning')).sort(), all);
  assert.deepEqual(offsetsOf((await describe(bootstrap, 'g2')).partitions), [[0, 5], [1, 5]]);

  const dry = await runCli(['group', 'reset-offsets', 'g2', '--topic', 'reset', '--to-earliest', '--dry-run', ...b]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(dry.stdout.trim().split('\n').map((l) => l.split(/\s+/)), [['TOPIC', 'PARTITION', 'PRIOR-OFFSET', 'NEW-OFFSET'], ['reset', '0', '5', '0'], ['reset', '1', '5', '0']]);
  assert.match(dry.stderr, /dry run: nothing was committed/);
  assert.deepEqual(offsetsOf((await describe(bootstrap, 'g2')).partitions), [[0, 5], [1, 5]]);

  await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-earliest', ...b]);
  const d = await describe(bootstrap, 'g2');
  assert.deepEqual(d.partitions.map((p) => [p.partition, p.currentOffset, p.lag]), [[0, 0, 5], [1, 0, 5]]);
  assert.deepEqual((await consumeInGroup(bootstrap, 'reset', 'g2', 10)).sort(), all);

  // An offset past the end is clamped to it, as Kafka does; 4 is inside both logs.
  const json = JSON.parse(await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-offset', '4', '--json', ...b]));
  assert.deepEqual(json, { group: 'g2', topic: 'reset', dryRun: false, partitions: [{ partition: 0, priorOffset: 5, newOffset: 4 }, { partition: 1, priorOffset: 5, newOffset: 4 }] });
  assert.deepEqual((await consumeInGroup(bootstrap, 'reset', 'g2', 2)).sort(), ['0:4', '1:4']);
  const past = JSON.parse(await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-offset', '99', '--dry-run', '--json', ...b]));
  assert.deepEqual(past.partitions.map((p: { newOffset: number }) => p.newOffset), [5, 5]);

  await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-time', new Date(cut).toISOString(), ...b]);
  assert.deepEqual(offsetsOf((await describe(bootstrap, 'g2')).partitions), [[0, 3], [1, 3]]);
  const late = await ok(['consume', 'reset', '--group', 'g2', '-n', '4', '-f', '%p:%o:%v', ...b]);
  assert.deepEqual(late.trim().split('\n').sort(), ['0:3:late-0', '0:4:late-1', '1:3:late-0', '1:4:late-1']);

  await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-earliest', ...b]);
  await ok(['group', 'reset-offsets', 'g2', '-t', 'reset', '--to-latest', ...b]);
  const latest = await describe(bootstrap, 'g2');
  assert.deepEqual(latest.partitions.map((p) => [p.partition, p.currentOffset, p.lag]), [[0, 5, 0], [1, 5, 0]]);

  const nowhere = await runCli(['group', 'reset-offsets', 'g2', '-t', 'reset', ...b]);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /say where to: --to-earliest, --to-latest, --to-offset <n> or --to-time <time>/);
  const unknownTopic = await runCli(['group', 'reset-offsets', 'g2', '-t', 'nope', '--to-latest', ...b]);
  assert.equal(unknownTopic.code, 1);
  assert.equal(unknownTopic.stderr, "error: topic 'nope': UNKNOWN_TOPIC_OR_PARTITION\n");
});

test('while a member is active: list and describe show it, reset and delete are refused; after it exits the group can be deleted', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  await ok(['topic', 'create', 'live', '-p', '2', ...b]);
  await produce(bootstrap, 'live', 0, 1, 'x');
  await produce(bootstrap, 'live', 1, 1, 'y');

  const member = startCli(t, ['consume', 'live', '--group', 'g3', '--from-beginning', '-f', '%p:%o', ...b]);
  await member.waitForStderr(/^consuming 'live' in group 'g3' \(generation \d+\) from partition:offset 0:0 1:0; Ctrl-C to stop$/m);
  await member.waitForStdout(/^(0:0\n1:0|1:0\n0:0)\n$/);

  assert.deepEqual((await ok(['group', 'list', ...b])).trim().split('\n').map((l) => l.split(/\s+/)), [['GROUP', 'STATE', 'PROTOCOL-TYPE'], ['g3', 'Stable', 'consumer']]);
  const d = await describe(bootstrap, 'g3');
  assert.equal(d.state, 'Stable');
  assert.equal(d.members, 1);
  for (const p of d.partitions) {
    assert.match(p.memberId!, /^sluice-cli-/);
    assert.equal(p.clientId, 'sluice-cli');
    assert.equal(p.host, '127.0.0.1');
  }
  assert.equal(new Set(d.partitions.map((p) => p.memberId)).size, 1);

  const reset = await runCli(['group', 'reset-offsets', 'g3', '-t', 'live', '--to-earliest', ...b]);
  assert.equal(reset.code, 1);
  assert.match(reset.stderr, /^error: cannot reset offsets of group 'g3': it has 1 member \(state Stable\); Kafka allows this only while a group is empty/);
  const refused = await runCli(['group', 'delete', 'g3', ...b]);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.stdout.trim().split('\n').map((l) => l.split(/\s+/)), [['GROUP', 'STATUS'], ['g3', 'NON_EMPTY_GROUP']]);
  assert.match(refused.stderr, /group 'g3' was not deleted: it has members/);

  // Ctrl-C: the member commits what it printed and leaves.
  member.child.kill('SIGINT');
  const exited = await member.exited;
  assert.equal(exited.code, 0, exited.stderr);
  const empty = await describe(bootstrap, 'g3');
  assert.equal(empty.state, 'Empty');
  assert.deepEqual(empty.partitions.map((p) => [p.partition, p.currentOffset, p.lag, p.memberId]), [[0, 1, 0, null], [1, 1, 0, null]]);

  assert.deepEqual((await ok(['group', 'delete', 'g3', ...b])).trim().split('\n').map((l) => l.split(/\s+/)), [['GROUP', 'STATUS'], ['g3', 'OK']]);
  assert.deepEqual((await ok(['group', 'list', ...b])).trim().split('\n'), ['GROUP  STATE  PROTOCOL-TYPE']);
  const gone = await runCli(['group', 'describe', 'g3', ...b]);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, "error: describe group 'g3': GROUP_ID_NOT_FOUND (no members and no committed offsets)\n");

  const both = await runCli(['consume', 'live', '--group', 'g3', '--partition', '0', ...b]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /cannot be used with/);
});

test('Ctrl-C while the group is still rebalancing exits at once: the member leaves, which answers its parked JoinGroup', async (t) => {
  defer(t, () => {}); // the other member closes before the broker
  const broker = await startTestBroker(t);
  const b = ['-b', broker.bootstrap];
  await ok(['topic', 'create', 'slow', ...b]);
  const client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'slow-member' });
  defer(t, () => client.close());
  // A member that joins, then neither polls nor heartbeats for a minute: a rebalance waits
  // for it up to its rebalance timeout (30 s), keeping any new member's JoinGroup parked.
  const slow = new GroupConsumer(client, { groupId: 'g4', topics: ['slow'], heartbeatIntervalMs: 60_000, sessionTimeoutMs: 30_000 });
  defer(t, () => slow.close());
  await slow.poll();
  assert.equal(slow.assignment().length, 1);

  const member = startCli(t, ['consume', 'slow', '--group', 'g4', ...b], { timeoutMs: 10_000 });
  const admin = new Admin(client);
  await waitFor('the new member to be parked in a rebalance', async () => {
    const [g] = await admin.describeGroups(['g4']);
    return g.state === 'PreparingRebalance' && g.members.length === 2;
  });
  member.child.kill('SIGINT');
  const exited = await member.exited;
  assert.equal(exited.code, 0, exited.stderr);
  const [after] = await admin.describeGroups(['g4']);
  assert.deepEqual(after.members.map((m) => m.clientId), ['slow-member']);
});
