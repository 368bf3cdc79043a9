// Clean-shutdown markers name the broker run that closed the log: a log the
// previous run closed opens without recovery and without any write; a crash
// of any later run leaves a marker naming a run that is no longer the previous
// one, so the log is recovered; a log closed and opened again within one run,
// or opened by a run whose id could not be written, loses its marker at once.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BROKER_RUN_FILE, CLEAN_SHUTDOWN_FILE, beginBrokerRun, closedCleanly, writeCleanShutdownMarker } from '../../src/storage/clean-shutdown.js';
import { makeDataDir } from '../helpers/broker-process.js';

async function dirs(t: Parameters<typeof makeDataDir>[0]): Promise<{ dataDir: string; partition: string; marker: string }> {
  const dataDir = await makeDataDir(t);
  const partition = path.join(dataDir, 'orders-0');
  fs.mkdirSync(partition);
  return { dataDir, partition, marker: path.join(partition, CLEAN_SHUTDOWN_FILE) };
}

test("a log the previous run closed opens clean and untouched; a crash of the run that opened it is seen by the next", async (t) => {
  const { dataDir, partition, marker } = await dirs(t);
  const first = beginBrokerRun(dataDir);
  assert.equal(first.previous, null, 'a new data directory has no previous run');
  assert.equal(fs.readFileSync(path.join(dataDir, BROKER_RUN_FILE), 'utf8').trim(), first.current);
  writeCleanShutdownMarker(partition, first);

  const second = beginBrokerRun(dataDir);
  assert.equal(second.previous, first.current);
  const state = () => {
    const s = fs.statSync(marker);
    return { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size };
  };
  const before = state();
  assert.equal(closedCleanly(partition, second), true);
  assert.deepEqual(state(), before, 'opening writes nothing');

  // The second run dies without closing the log.
  const third = beginBrokerRun(dataDir);
  assert.equal(closedCleanly(partition, third), false, 'the marker names a run older than the previous one');
  assert.equal(fs.existsSync(marker), false);
});

test('a log closed and opened again within one run loses its marker, so a crash after the second open is seen', async (t) => {
  const { dataDir, partition, marker } = await dirs(t);
  const run = beginBrokerRun(dataDir);
  writeCleanShutdownMarker(partition, run);
  assert.equal(closedCleanly(partition, run), true);
  assert.equal(fs.existsSync(marker), false);
  assert.equal(closedCleanly(partition, beginBrokerRun(dataDir)), false);
});

test('a run whose id could not be written removes each marker it trusts', async (t) => {
  const { dataDir, partition, marker } = await dirs(t);
  const first = beginBrokerRun(dataDir);
  writeCleanShutdownMarker(partition, first);
  const unrecorded = { previous: first.current, current: 'not-on-disk', recorded: false };
  assert.equal(closedCleanly(partition, unrecorded), true);
  assert.equal(fs.existsSync(marker), false, 'a crash of this run leaves no marker of the previous one');
});

test('no marker, an empty one (written before run ids) or a torn one: not closed cleanly', async (t) => {
  const { dataDir, partition, marker } = await dirs(t);
  beginBrokerRun(dataDir);
  const run = beginBrokerRun(dataDir);
  assert.equal(closedCleanly(partition, run), false);
  for (const content of ['', run.previous!.slice(0, 10)]) {
    fs.writeFileSync(marker, content);
    assert.equal(closedCleanly(partition, run), false, JSON.stringify(content));
  }
});
