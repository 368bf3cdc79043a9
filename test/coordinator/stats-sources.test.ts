// The stats history over a running broker, its clock faked: after a producer
// wrote N records, a consumer read them and a group committed part of the way,
// the next point gives N records (and their stored bytes) in and out over the
// interval, and the group lag the commit left.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { STATS_INTERVAL_MS, StatsHistory } from '../../src/broker/stats-history.js';
import { brokerStatsSources } from '../../src/coordinator/stats-sources.js';
import { defer, segmentFiles } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { runOk } from '../interop/run-command.js';

const RECORDS = 200;

test('a history point over a running broker gives the records and bytes in and out and the group lag', skipUnless(kcat), async (t) => {
  const broker = await startTestBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('charted', 1);
  const clock = new FakeClock();
  const history = new StatsHistory(clock, brokerStatsSources(broker.broker, broker.groups));
  history.start();

  const lines = Array.from({ length: RECORDS }, (_, i) => `record-${i}`).join('\n') + '\n';
  await runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', 'charted', '-p', '0', '-X', 'acks=all'], { input: lines });
  const consumed = await runOk(KCAT, ['-C', '-b', broker.bootstrap, '-t', 'charted', '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20']);
  assert.equal(consumed.stdout.toString(), lines);
  await admin.commitOffsets('chart-readers', [{ topic: 'charted', partition: 0, offset: 150 }]);
  const stored = (await segmentFiles(broker.config.dataDir, 'charted', 0)).reduce((n, f) => n + f.sizeBytes, 0);

  clock.advance(STATS_INTERVAL_MS);
  const seconds = STATS_INTERVAL_MS / 1000;
  assert.deepEqual(history.points(), [
    {
      t: clock.now(),
      recordsInPerSec: RECORDS / seconds,
      recordsOutPerSec: RECORDS / seconds,
      bytesInPerSec: stored / seconds,
      bytesOutPerSec: stored / seconds,
      groupLag: RECORDS - 150,
    },
  ]);
  history.stop();
});
