// @platformatic/kafka's admin, unchanged, sets client quotas with
// AlterClientQuotas v1 and reads them back with DescribeClientQuotas v0:
// entities of users, client ids and both, named and default; filters exact,
// default and any, strict or not; validate_only; refused keys. The quotas
// survive a restart (<dataDir>/client-quotas), read back by Sluice's own admin.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin as PlatformaticAdmin, ClientQuotaMatchTypes as Match } from '@platformatic/kafka';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

type Entry = { entity: { entityType: string; entityName?: string | null }[]; values: { key: string; value: number }[] };

/** Entries as sorted "type=name,...: key=value,..." lines, <default> for a default name. */
const lines = (entries: Entry[]) =>
  entries
    .map((e) => `${e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(',')}: ${e.values.map((v) => `${v.key}=${v.value}`).sort().join(',')}`)
    .sort();

function platformaticAdmin(t: TestContext, bootstrap: string): PlatformaticAdmin {
  const admin = new PlatformaticAdmin({ clientId: 'sluice-quotas', bootstrapBrokers: [bootstrap], retries: 0, timeout: 10_000 });
  defer(t, () => admin.close());
  return admin;
}

test('client quotas round-trip through @platformatic/kafka and survive a restart', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-quotas-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const admin = platformaticAdmin(t, first.bootstrap);

  const results = await admin.alterClientQuotas({
    entries: [
      { entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }] },
      {
        entities: [
          { entityType: 'user', entityName: 'alice' },
          { entityType: 'client-id', entityName: null },
        ],
        ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }],
      },
      { entities: [{ entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'request_percentage', value: 12.5, remove: false }] },
      { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }] },
    ],
  });
  assert.deepEqual(results.map((r) => r.errorCode), [0, 0, 0, 0]);

  const all = ['client-id=app: request_percentage=12.5', 'user=<default>: producer_byte_rate=1000', 'user=alice,client-id=<default>: consumer_byte_rate=2048', 'user=alice: producer_byte_rate=1048576'];
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [] })), all);
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.EXACT, match: 'alice' }] })), [all[2], all[3]]);
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.EXACT, match: 'alice' }], strict: true })), [all[3]]);
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.DEFAULT }] })), [all[1]]);
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: Match.ANY }] })), [all[0], all[2]]);

  // validate_only checks and keeps nothing; a key a user cannot have is refused, the other entries still apply.
  const validated = await admin.alterClientQuotas({
    entries: [{ entities: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'producer_byte_rate', value: 5, remove: false }] }],
    validateOnly: true,
  });
  assert.deepEqual(validated.map((r) => r.errorCode), [0]);
  await assert.rejects(
    admin.alterClientQuotas({
      entries: [
        { entities: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'connection_creation_rate' as 'producer_byte_rate', value: 5, remove: false }] },
        { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'producer_byte_rate', remove: true }] },
      ],
    }),
  );
  assert.deepEqual(lines(await admin.describeClientQuotas({ components: [] })), [all[0], all[2], all[3]]);

  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port);
  const client = new KafkaClient({ bootstrap: second.bootstrap });
  defer(t, () => client.close());
  const after = await new Admin(client).describeClientQuotas([]);
  assert.deepEqual(
    lines(after.map((e) => ({ entity: Object.entries(e.entity).map(([entityType, entityName]) => ({ entityType, entityName })), values: Object.entries(e.values).map(([key, value]) => ({ key, value })) }))),
    [all[0], all[2], all[3]],
  );
});
