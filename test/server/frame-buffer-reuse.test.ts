// Large produce frames are read into buffers that go back to a pool once their
// request is answered, and are read into again for later frames of any
// connection; Fetch answers read from disk into the same pool, and their blocks go
// back once written. This proves that no byte of one request or answer reaches
// another: four
// kcat producers, each its own process and connection, send frames of up to a
// megabyte at once, every record's content distinct; four consumers at once then
// read back, each byte for byte what its partition's producer sent. (Separate processes, so that the
// frames of different connections arrive interleaved, as they do in production.)

import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { decodeBatch, forEachBatch } from '../../src/protocol/records.js';
import { decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';
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

  // Read back by four consumers at once: Fetch answers are read into pooled blocks too, given back once written.
  const reads = await Promise.all(
    inputs.map((_, p) => runOk(KCAT, ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-p', String(p), '-o', 'beginning', '-e', '-q'], { timeoutMs: 60_000 })),
  );
  for (let p = 0; p < PRODUCERS; p++) {
    const stored = reads[p].stdout.toString();
    assert.equal(stored.length, inputs[p].length, `partition ${p}: bytes stored`);
    assert.ok(stored === inputs[p], `partition ${p}: every record as its producer sent it`);
  }
});

/** Reads on from a paused socket until one whole frame is in; returns it without its size. */
async function wholeFrame(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  socket.resume();
  while (received < 4 || received < 4 + Buffer.concat(chunks.slice(0, 4)).readInt32BE(0)) await once(socket, 'data');
  return Buffer.concat(chunks).subarray(4);
}

/** Value `i` of partition `p` in the slow-reader test: 512 KiB of one byte that differs per record. */
function bigValue(p: number, i: number): Buffer {
  return Buffer.alloc(512 * 1024, (p * 16 + i) % 251);
}

test('a Fetch answer still being written to a client that does not read keeps its blocks while other fetches take blocks of their own', async (t) => {
  const PARTITIONS = 5; // 0-3 for the reader that stalls, 4 for the others
  // 6 MiB each: the stalled answer (24 MiB) is larger than the kernel's socket buffers, and every read of a
  // partition, here and by the other fetches, takes a block of the same size (8 MiB).
  const PER_PARTITION = 12;
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic('stalled-fetch', PARTITIONS);
  const producer = new Producer(client, { acks: -1 });
  for (let p = 0; p < PARTITIONS; p++) {
    await Promise.all(Array.from({ length: PER_PARTITION }, (_, i) => producer.send('stalled-fetch', { partition: p, value: bigValue(p, i) })));
  }
  const { topicId } = await client.topic('stalled-fetch');

  const stalled = net.connect(broker.port, '127.0.0.1');
  t.after(() => stalled.destroy());
  await once(stalled, 'connect');
  stalled.pause();
  const partitionMaxBytes = 8 * 1024 * 1024;
  const request = {
    replicaId: -1,
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 4 * partitionMaxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: 'stalled-fetch', topicId, partitions: [0, 1, 2, 3].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes })) }],
    forgottenTopicsData: [],
    rackId: '',
  };
  stalled.write(encodeRequest(FetchRequest, 12, request, 1));

  // Meanwhile other fetches read partition 4 into blocks of the same size, again and again.
  for (let round = 0; round < 6; round++) {
    const records = recordsOf(await readStoredBatches(client, 'stalled-fetch', 4, { minRecords: PER_PARTITION }));
    assert.equal(records.length, PER_PARTITION);
  }

  const { body } = decodeResponse(await wholeFrame(stalled), FetchResponse, 12);
  for (const answered of body.responses[0].partitions) {
    const p = answered.partitionIndex as number;
    const values: Buffer[] = [];
    forEachBatch(answered.records as Buffer, (pos) => values.push(...decodeBatch(answered.records as Buffer, pos).records.map((r) => r.value as Buffer)));
    assert.equal(values.length, PER_PARTITION, `partition ${p}: records answered`);
    values.forEach((v, i) => assert.ok(v.equals(bigValue(p, i)), `partition ${p}, record ${i}: bytes as produced`));
  }
});
