// `sluice cluster info` against a broker of its own (a cluster of one): the
// broker is the controller, every partition is led by it and in sync. The same
// command against three brokers, with a broker killed, is in test/cluster/.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from '../helpers/cli.js';

test('cluster info shows the broker as controller and every partition in sync', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'orders', '-p', '2', '-r', '1', ...b])).code, 0);

  const info = await runCli(['cluster', 'info', ...b]);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^SUMMARY\n=======\nCLUSTER +\S{22}\nCONTROLLER +0\nBROKERS +1\nPARTITIONS +2\nUNDER-REPLICATED +0\nOFFLINE +0\n/);
  assert.match(info.stdout, /\nBROKERS\n=======\nID +HOST +PORT +RACK +CONTROLLER\n0 +127\.0\.0\.1 +\d+ +- +true\n/);
  assert.match(info.stdout, /\nTOPIC +PARTITION +LEADER +EPOCH +REPLICAS +ISR +STATUS\norders +0 +0 +0 +\[0\] +\[0\] +ok\norders +1 +0 +0 +\[0\] +\[0\] +ok\n$/);

  const problems = await runCli(['cluster', 'info', '--problems', '--json', ...b]);
  assert.equal(problems.code, 0, problems.stderr);
  const parsed = JSON.parse(problems.stdout);
  assert.equal(parsed.controllerId, 0);
  assert.equal(parsed.underReplicated, 0);
  assert.equal(parsed.offline, 0);
  assert.deepEqual(parsed.partitions, []);
  assert.deepEqual(
    parsed.brokers.map((x: { nodeId: number }) => x.nodeId),
    [0],
  );
});

test('topic create with more replicas than brokers says how many brokers there are', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const created = await runCli(['topic', 'create', 'orders', '-r', '3', '-b', bootstrap]);
  assert.equal(created.code, 1);
  assert.match(created.stderr, /INVALID_REPLICATION_FACTOR.*only 1 broker\(s\) are registered/);
});
