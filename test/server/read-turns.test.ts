// A client that pipelines many requests (librdkafka keeps as many in flight as
// it likes) must not have them all read and handled in one stretch of the event
// loop: timers, other connections and fsync completions would wait for all of
// it. A connection stops reading after 256 KiB and reads on in the next turn of
// the loop. Counted in turns of the loop (a chain of setImmediate), not in time:
// under the `os` flush policy a Produce answer is ready in the turn that handled
// its request.

import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { Admin, KafkaClient, LATEST } from '../../src/client/index.js';
import type { RequestEvent } from '../../src/server/request-channel.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const TOPIC = 'read-turns';
const RECORDS = 30_000;
const VALUE_BYTES = 1000;
/** librdkafka's batch.size: Produce frames of about 16 KiB, about 1,900 of them, all pipelined. */
const BATCH_BYTES = 16 * 1024;
/**
 * A turn reads 256 KiB plus what its last read brings (up to 64 KiB): about 20
 * frames of 16 KiB. Without the limit 80-90 were handled in one turn here.
 */
const MOST_PER_TURN = 32;
/** How long the broker's thread is held after every fifth Produce request (the first 6), so that frames pile up in its socket. */
const BACKLOG_MS = 100;

test('a client pipelining produce requests has a bounded number handled per turn of the event loop', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t, { flushPolicy: 'os' });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic(TOPIC, 1);

  let turn = 0;
  let counting: NodeJS.Immediate = setImmediate(function nextTurn() {
    turn++;
    counting = setImmediate(nextTurn);
  });
  t.after(() => clearImmediate(counting));
  const producesPerTurn = new Map<number, number>();
  let produces = 0;
  const onRequest = (message: unknown) => {
    if ((message as RequestEvent).api !== 'Produce') return;
    producesPerTurn.set(turn, (producesPerTurn.get(turn) ?? 0) + 1);
    // Now and then the broker's thread stops for a moment while kcat goes on sending:
    // frames wait in the socket, as they do whenever a client outpaces the broker.
    if (produces++ % 5 === 0 && produces < 30) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BACKLOG_MS);
  };
  diagnostics_channel.subscribe('sluice:server:request', onRequest);
  t.after(() => diagnostics_channel.unsubscribe('sluice:server:request', onRequest));

  const input = Array.from({ length: RECORDS }, (_, i) => String(i).padStart(8, '0') + 'v'.repeat(VALUE_BYTES - 8)).join('\n') + '\n';
  const producerArgs = ['-X', 'acks=1', '-X', 'linger.ms=5', '-X', `batch.size=${BATCH_BYTES}`];
  await runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', TOPIC, '-p', '0', ...producerArgs], { input, timeoutMs: 60_000 });

  const requests = [...producesPerTurn.values()].reduce((sum, n) => sum + n, 0);
  assert.ok(requests >= 1000, `the records came in ${requests} Produce requests, expected about 1,900 of 16 KiB`);
  const most = Math.max(...producesPerTurn.values());
  const busiest = [...producesPerTurn.values()].sort((a, b) => b - a).slice(0, 10);
  assert.ok(most <= MOST_PER_TURN, `${most} Produce requests were handled in one turn of the event loop (the 10 busiest turns: ${busiest.join(', ')})`);
  const latest = await new Admin(client).listOffsets(TOPIC, [0], LATEST);
  assert.equal(latest.get(0)?.offset, RECORDS, 'every record stored');
});
