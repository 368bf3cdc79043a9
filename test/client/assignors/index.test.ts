// Assignors by name: the names every Kafka client uses, unknown ones refused
// at construction, and the rebalance protocol a list of them implies (KIP-429).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignorsNamed, rebalanceProtocolOf } from '../../../src/client/assignors/index.js';

test('assignors are found by their Kafka names, in the order given, each once', () => {
  assert.deepEqual(
    assignorsNamed(['cooperative-sticky', 'range', 'roundrobin', 'range']).map((a) => a.name),
    ['cooperative-sticky', 'range', 'roundrobin'],
  );
});

test('an unknown assignor name or an empty list is a configuration error', () => {
  assert.throws(() => assignorsNamed(['sticky']), { code: 'SLUICE_ERR_CONFIG', message: /unknown assignor 'sticky'/ });
  assert.throws(() => assignorsNamed(['toString']), { code: 'SLUICE_ERR_CONFIG' });
  assert.throws(() => assignorsNamed([]), { code: 'SLUICE_ERR_CONFIG' });
});

test('rebalancing is cooperative only when every assignor offered is (the upgrade path of KIP-429)', () => {
  assert.equal(rebalanceProtocolOf(assignorsNamed(['cooperative-sticky'])), 'cooperative');
  assert.equal(rebalanceProtocolOf(assignorsNamed(['cooperative-sticky', 'range'])), 'eager');
  assert.equal(rebalanceProtocolOf(assignorsNamed(['roundrobin'])), 'eager');
});
