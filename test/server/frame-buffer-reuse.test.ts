// Large produce frames are read into buffers that go back to a pool once their
// request is answered, and are read into again for later frames of any
// connection. This proves that no byte of one request reaches another: four
// kcat producers, each its own process and connection, send frames of up to a
// megabyte at once, every record's content distinct; each partition then reads
// back byte for byte what its producer sent. (Separate processes, so that the
// frames of different connections arrive interleaved, as they do in production.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const PRODUCERS = 4;
const RECORDS = 20_000;
const TOPIC = 'frame-reuse';

/** Producer `p`'s records as kcat's input: distinct lines of 200-1100 bytes, a filler that differs per record. */
function linesOf(p: number): string {
  const lines: string[] = [];
  for (let r = 0; r < RECORDS; r++) {
    const filler = String.fromCharCode(97 + ((p * 7 + r) % 26));
    lines.push(`p${p}-r${r}-` + filler.repeat(200 + ((r * 37 + p * 11) % 900)));
  }
  return lines.join('\n') + '\n';
}

test('records from many large frames on concurrent connections are stored exactly as each was sent', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic(TOPIC, PRODUCERS);

  const inputs = Array.from({ length: PRODUCERS }, (_, p) => linesOf(p));
  const producerArgs = ['-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000'];
  await Promise.all(inputs.map((input, p) => runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', TOPIC, '-p', String(p), ...producerArgs], { input, timeoutMs: 60_000 })));

  for (let p = 0; p < PRODUCERS; p++) {
    const read = await runOk(KCAT, ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-p', String(p), '-o', 'beginning', '-e', '-q'], { timeoutMs: 60_000 });
    const stored = read.stdout.toString();
    assert.equal(stored.length, inputs[p].length, `partition ${p}: bytes stored`);
    assert.ok(stored === inputs[p], `partition ${p}: every record as its producer sent it`);
  }
});
