// Proves on a fake clock when the RecordAccumulator closes a batch: after
// lingerMs from its first record, at once when it reaches batchBytes, when a
// record would not fit, and on closeAll (a flush); and that the sticky
// partitioner hears of each closed batch; a closed batch not yet sent still
// takes records.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { singleDelivery } from '../../../src/client/producer/delivery.js';
import { BatchBufferPool } from '../../../src/client/producer/batch-buffer-pool.js';
import { RecordAccumulator } from '../../../src/client/producer/record-accumulator.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function accumulator(options: { batchBytes?: number; lingerMs?: number } = {}) {
  const clock = new FakeClock();
  const closed: string[] = [];
  let wakes = 0;
  const acc = new RecordAccumulator({
    batchBytes: options.batchBytes ?? 16384,
    lingerMs: options.lingerMs ?? 5,
    clock,
    buffers: new BatchBufferPool(0),
    onReady: () => wakes++,
    onBatchClosed: (topic, partition) => closed.push(`${topic}-${partition}`),
  });
  const append = (partition: number, bytes = 10) => acc.append('t', partition, { value: Buffer.alloc(bytes) }, clock.now(), singleDelivery().sink, 0, bytes);
  const ready = () => [...acc.readyQueues()].map((q) => `${q.topic}-${q.partition}:${q.ready.map((b) => b.recordCount).join(',')}`);
  return { acc, clock, closed, append, ready, wakes: () => wakes };
}

test('a partial batch closes lingerMs after its first record, not before', () => {
  const { clock, append, ready, closed } = accumulator({ lingerMs: 5 });
  append(0);
  clock.advance(3);
  append(0);
  append(1);
  clock.advance(1);
  assert.deepEqual(ready(), []);
  clock.advance(1);
  assert.deepEqual(ready(), ['t-0:2'], 'partition 0 lingered 5 ms; partition 1 only 2 ms');
  clock.advance(2);
  assert.deepEqual(ready(), ['t-0:2']);
  clock.advance(1);
  assert.deepEqual(ready(), ['t-0:2', 't-1:1']);
  assert.deepEqual(closed, ['t-0', 't-1']);
});

test('a batch closes at batchBytes, and a record that would not fit starts the next one', () => {
  const { append, ready, wakes } = accumulator({ batchBytes: 400 });
  for (let i = 0; i < 3; i++) append(0, 100);
  assert.deepEqual(ready(), [], 'three 100-byte records fit in 400 bytes with the header');
  append(0, 100);
  assert.deepEqual(ready(), ['t-0:3'], 'the fourth would not fit: the batch closes without it');
  append(0, 1000);
  assert.deepEqual(ready(), ['t-0:3,1,1'], 'a record larger than batchBytes gets a batch of its own, closed at once');
  assert.equal(wakes(), 3);
});

test('closeAll closes every open batch at once; later records linger again', () => {
  const { acc, append, ready } = accumulator({ lingerMs: 1000 });
  append(0);
  append(1);
  append(1);
  acc.closeAll();
  assert.deepEqual(ready(), ['t-0:1', 't-1:2']);
  append(2);
  assert.deepEqual(ready(), ['t-0:1', 't-1:2']);
});

test('a closed batch takes records until the sender builds it into a request, also with lingerMs 0', () => {
  const { acc, append, ready } = accumulator({ lingerMs: 0 });
  append(0);
  append(0);
  append(0);
  assert.deepEqual(ready(), ['t-0:3'], 'closed at once, yet still filled while no request slot took it');
  const [queue] = acc.readyQueues();
  queue.ready[0].records({});
  append(0);
  assert.deepEqual(ready(), ['t-0:3,1'], 'once built for a request it is left alone');
});
