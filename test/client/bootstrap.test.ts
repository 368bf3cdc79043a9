// Bootstrap lists: any one address that answers is enough, whatever its place
// in the list, and when none answers the error names every address tried.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import { parseBootstrap, shuffled } from '../../src/client/bootstrap.js';
import { startTestBroker } from '../helpers/broker.js';
import { prng } from '../helpers/seeded-random.js';
import { refusedAddress } from '../helpers/unresponsive-broker.js';

function clientOf(t: TestContext, bootstrap: string | string[]): KafkaClient {
  const client = new KafkaClient({ bootstrap });
  t.after(() => client.close());
  return client;
}

test('a bootstrap list with dead addresses first reaches the live one, as a string or an array', async (t) => {
  const broker = await startTestBroker(t);
  const dead = [await refusedAddress(), await refusedAddress(), await refusedAddress()];
  // Each new client shuffles the list afresh; every order must work.
  for (let i = 0; i < 8; i++) {
    const { brokers } = await clientOf(t, `${dead.join(',')},${broker.bootstrap}`).metadata([]);
    assert.equal(brokers.length, 1);
  }
  const { brokers } = await clientOf(t, [...dead, ` ${broker.bootstrap} `]).metadata([]);
  assert.equal(brokers[0].port, broker.port);
});

test('when no bootstrap address answers, the error names every one', async (t) => {
  const dead = [await refusedAddress(), await refusedAddress()];
  await assert.rejects(clientOf(t, dead.join(',')).metadata([]), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SLUICE_ERR_CONNECTION');
    for (const address of dead) assert.ok(err.message.includes(address), err.message);
    return true;
  });
});

test('bootstrap parsing: comma-separated or an array, blanks ignored, at least one address', () => {
  assert.deepEqual(parseBootstrap('h1:9092, h2:9093,'), [
    { host: 'h1', port: 9092 },
    { host: 'h2', port: 9093 },
  ]);
  assert.deepEqual(parseBootstrap(['[::1]:9092']), [{ host: '[::1]', port: 9092 }]);
  assert.throws(() => parseBootstrap(' , '), { code: 'SLUICE_ERR_CONFIG' });
  assert.throws(() => parseBootstrap('h1'), { code: 'SLUICE_ERR_CONFIG' });
});

test('shuffled keeps every address and, over many draws, puts each one first', () => {
  const rng = prng(7);
  const firsts = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const order = shuffled(['a', 'b', 'c'], rng);
    assert.deepEqual([...order].sort(), ['a', 'b', 'c']);
    firsts.add(order[0]);
  }
  assert.equal(firsts.size, 3);
});
