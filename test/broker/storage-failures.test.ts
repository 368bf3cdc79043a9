// Regression: storage failures crashed `sluice serve` with raw stack traces:
// a start on a full disk (ENOSPC writing cluster.json), a start with too few
// file descriptors for its partitions (EMFILE, no hint to raise the limit),
// and SIGTERM on a full disk (ENOSPC in the transaction checkpoint, after
// which the other partitions were not closed). Each now exits with status 1
// and a SLUICE_ERR_* code and hint on stderr, and a close that fails on one
// partition still closes the others.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import test from 'node:test';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';
import { REPO_ROOT, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { mountSmallDisk } from '../helpers/small-disk.js';

const SLUICE_BIN = path.join(REPO_ROOT, 'bin', 'sluice.js');

/** Runs `sluice serve` under `limits` (bash ulimit flags) until it exits; it must exit by itself. */
function serveUntilExit(dataDir: string, limits: string): Promise<{ code: number | null; stderr: string }> {
  const script = `${limits} && exec "$@"`;
  const argv = [process.execPath, SLUICE_BIN, 'serve', '--port', '0', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'silent'];
  return new Promise((resolve) => {
    const child = execFile('bash', ['-c', script, 'bash', ...argv], { cwd: REPO_ROOT, timeout: 30_000 }, (_err, _stdout, stderr) => {
      resolve({ code: child.exitCode, stderr });
    });
  });
}

function assertCleanFailure(result: { code: number | null; stderr: string }, code: string, hint: RegExp): void {
  assert.equal(result.code, 1, `exit status 1\n${result.stderr}`);
  assert.match(result.stderr, new RegExp(`^error ${code}: `, 'm'));
  assert.match(result.stderr, hint);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
}

test('a start on a full disk that must write cluster.json exits 1 with SLUICE_ERR_DISK_FULL and a hint', async (t) => {
  const disk = await mountSmallDisk(t, 1024);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  disk.fill();
  const result = await serveUntilExit(disk.dir, 'true');
  assertCleanFailure(result, 'SLUICE_ERR_DISK_FULL', /cluster\.json[\s\S]*hint: free space/);
});

test('a start with too few file descriptors for its partitions exits 1 with SLUICE_ERR_FILE_LIMIT and a hint to raise ulimit -n', async (t) => {
  const dataDir = await makeDataDir(t);
  const broker = await startRestartableBroker(t, dataDir, 0);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  await new Admin(client).createTopic('many', 300);
  await client.close();
  await broker.close();
  const result = await serveUntilExit(dataDir, 'ulimit -n 256');
  assertCleanFailure(result, 'SLUICE_ERR_FILE_LIMIT', /hint: raise the open-file limit .*ulimit -n.*holds 300 partitions/);
});

test('SIGTERM on a full disk still runs every close step of every partition, then exits 1 with SLUICE_ERR_DISK_FULL', async (t) => {
  const disk = await mountSmallDisk(t, 16 * 1024);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const broker = await spawnBroker(t, { dataDir: disk.dir });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  const topics = ['first', 'second'];
  for (const topic of topics) {
    await new Admin(client).createTopic(topic, 2);
    await new Producer(client, { acks: -1 }).sendBatch(topic, [{ value: Buffer.from('kept'), partition: 0 }]);
  }
  await client.close();

  disk.fill();
  const code = await broker.stop();
  const output = broker.recentOutput();
  assert.equal(code, 1, `exit status 1\n${output}`);
  assert.match(output, /^error SLUICE_ERR_DISK_FULL: \d+ close steps failed/m);
  assert.match(output, /^hint: free space/m);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  // A failed step on one partition skipped nothing: every partition got every close step, each failure logged.
  for (const topic of topics) {
    for (const partition of [0, 1]) {
      const attempted = output.split('\n').some((line) => line.includes(`"topic":"${topic}","partition":${partition},"msg":"writing the transaction checkpoint failed at close"`));
      assert.ok(attempted, `${topic}-${partition}'s checkpoint was attempted\n${output}`);
    }
  }

  // Once space is free again the broker starts and serves what was acknowledged.
  disk.free();
  const again = await spawnBroker(t, { dataDir: disk.dir });
  const reader = new KafkaClient({ bootstrap: again.bootstrap });
  t.after(() => reader.close());
  const ends = await new Admin(reader).listOffsets('first', [0, 1], -1);
  assert.deepEqual([...ends].map(([p, o]) => [p, o.offset]), [[0, 1], [1, 0]]);
});
