// Which quota applies to a client: Kafka's order of precedence over user,
// client-id and (user, client-id) entities, named and default; and the
// quotas' file in the data directory.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { CLIENT_QUOTAS_FILE, ClientQuotas, type QuotaEntity } from '../../../src/broker/quota/client-quotas.js';

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-quotas-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Sets producer_byte_rate on each entity, its value its rank in Kafka's precedence (1: most specific). */
const RANKED: QuotaEntity[] = [
  { user: 'alice', 'client-id': 'app' },
  { user: 'alice', 'client-id': null },
  { user: 'alice' },
  { user: null, 'client-id': 'app' },
  { user: null, 'client-id': null },
  { user: null },
  { 'client-id': 'app' },
  { 'client-id': null },
];

test('the most specific entity with the quota wins, in Kafka order', async () => {
  const quotas = ClientQuotas.inMemory();
  await quotas.alter(RANKED.map((entity, i) => ({ entity, key: 'producer_byte_rate', value: i + 1 })));
  for (let rank = 1; rank <= RANKED.length; rank++) {
    assert.equal(quotas.resolve('producer_byte_rate', 'alice', 'app')?.value, rank, `rank ${rank}`);
    await quotas.alter([{ entity: RANKED[rank - 1], key: 'producer_byte_rate', value: null }]);
  }
  assert.equal(quotas.resolve('producer_byte_rate', 'alice', 'app'), null);
  assert.equal(quotas.isEmpty, true);
});

test('a default entity part is shared per name: its rate is keyed by the client it matched', async () => {
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([{ entity: { user: null }, key: 'consumer_byte_rate', value: 5 }]);
  assert.deepEqual(quotas.resolve('consumer_byte_rate', 'bob', 'x'), { value: 5, user: 'bob', clientId: '' });
  assert.equal(quotas.resolve('producer_byte_rate', 'bob', 'x'), null);
});

test('each quota key is resolved on its own', async () => {
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([
    { entity: { user: 'alice' }, key: 'producer_byte_rate', value: 1 },
    { entity: { 'client-id': 'app' }, key: 'consumer_byte_rate', value: 2 },
  ]);
  assert.equal(quotas.resolve('producer_byte_rate', 'alice', 'app')?.value, 1);
  assert.deepEqual(quotas.resolve('consumer_byte_rate', 'alice', 'app'), { value: 2, user: '', clientId: 'app' });
});

test('a quota changed to a new value is resolved to it, not to the value resolved before (regression: the resolutions outlived it)', async () => {
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([{ entity: { user: 'alice' }, key: 'producer_byte_rate', value: 1 }]);
  assert.equal(quotas.resolve('producer_byte_rate', 'alice', 'app')?.value, 1);
  await quotas.alter([{ entity: { user: 'alice' }, key: 'producer_byte_rate', value: 2 }]);
  assert.equal(quotas.resolve('producer_byte_rate', 'alice', 'app')?.value, 2);
});

test("ip quotas: the ip's own, else the default ip's", async () => {
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([{ entity: { ip: null }, key: 'connection_creation_rate', value: 10 }]);
  assert.equal(quotas.resolveIp('10.0.0.1'), 10);
  await quotas.alter([{ entity: { ip: '10.0.0.1' }, key: 'connection_creation_rate', value: 3 }]);
  assert.equal(quotas.resolveIp('10.0.0.1'), 3);
  assert.equal(quotas.resolveIp('10.0.0.2'), 10);
});

test('quotas are kept in <dataDir>/client-quotas and read back', async (t) => {
  const dir = tempDir(t);
  const quotas = ClientQuotas.open(dir);
  await quotas.alter([
    { entity: { user: 'alice', 'client-id': null }, key: 'producer_byte_rate', value: 1024 },
    { entity: { 'client-id': 'app' }, key: 'request_percentage', value: 12.5 },
  ]);
  const again = ClientQuotas.open(dir);
  assert.deepEqual(again.all(), quotas.all());
  assert.equal(again.resolve('producer_byte_rate', 'alice', 'any')?.value, 1024);
});

test('an unreadable quotas file stops the broker with SLUICE_ERR_CLIENT_QUOTAS', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, CLIENT_QUOTAS_FILE), '{not json');
  assert.throws(() => ClientQuotas.open(dir), { code: 'SLUICE_ERR_CLIENT_QUOTAS' });
  fs.writeFileSync(path.join(dir, CLIENT_QUOTAS_FILE), JSON.stringify([{ entity: { group: 'g' }, quotas: { producer_byte_rate: 1 } }]));
  assert.throws(() => ClientQuotas.open(dir), { code: 'SLUICE_ERR_CLIENT_QUOTAS' });
  fs.writeFileSync(path.join(dir, CLIENT_QUOTAS_FILE), JSON.stringify([{ entity: { user: 'a' }, quotas: { producer_byte_rate: 'fast' } }]));
  assert.throws(() => ClientQuotas.open(dir), { code: 'SLUICE_ERR_CLIENT_QUOTAS' });
});
