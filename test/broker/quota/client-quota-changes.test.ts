// What AlterClientQuotas refuses (INVALID_REQUEST, per entry, the other
// entries still applied) and how DescribeClientQuotas filters are checked.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientQuotas } from '../../../src/broker/quota/client-quotas.js';
import { MATCH_ANY, MATCH_EXACT, alterQuotaEntities, describeQuotaEntities } from '../../../src/broker/quota/client-quota-changes.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const user = (name: string | null) => ({ entityType: 'user', entityName: name });
const set = (key: string, value: number) => ({ key, value, remove: false });

test('each refused entry gets INVALID_REQUEST with the reason, and the acceptable ones are applied', async () => {
  const quotas = ClientQuotas.inMemory();
  const cases: [string, { entity: { entityType: string; entityName: string | null }[]; ops: { key: string; value: number; remove: boolean }[] }][] = [
    ['empty client quota entity', { entity: [], ops: [set('producer_byte_rate', 1)] }],
    ['entity type: group', { entity: [{ entityType: 'group', entityName: 'g' }], ops: [set('producer_byte_rate', 1)] }],
    ['Duplicate user', { entity: [user('a'), user('b')], ops: [set('producer_byte_rate', 1)] }],
    ['IP entity should not be combined', { entity: [user('a'), { entityType: 'ip', entityName: '10.0.0.1' }], ops: [set('connection_creation_rate', 1)] }],
    ['resolve IP address', { entity: [{ entityType: 'ip', entityName: 'not-an-ip' }], ops: [set('connection_creation_rate', 1)] }],
    ['key connection_creation_rate', { entity: [user('a')], ops: [set('connection_creation_rate', 1)] }],
    ['key producer_byte_rate', { entity: [{ entityType: 'ip', entityName: null }], ops: [set('producer_byte_rate', 1)] }],
    ['positive number', { entity: [user('a')], ops: [set('producer_byte_rate', 0)] }],
    ['whole number', { entity: [user('a')], ops: [set('producer_byte_rate', 1.5)] }],
  ];
  const results = await alterQuotaEntities(quotas, [...cases.map(([, entry]) => entry), { entity: [user('ok')], ops: [set('request_percentage', 0.5)] }], false);
  cases.forEach(([reason], i) => {
    assert.equal(results[i].errorCode, ErrorCode.INVALID_REQUEST, reason);
    assert.match(results[i].errorMessage ?? '', new RegExp(reason), reason);
  });
  assert.equal(results.at(-1)?.errorCode, ErrorCode.NONE);
  assert.deepEqual(quotas.all(), [{ entity: { user: 'ok' }, quotas: { request_percentage: 0.5 } }]);
});

test('validate_only applies nothing; removing a key that is not set is no error', async () => {
  const quotas = ClientQuotas.inMemory();
  assert.equal((await alterQuotaEntities(quotas, [{ entity: [user('a')], ops: [set('producer_byte_rate', 10)] }], true))[0].errorCode, ErrorCode.NONE);
  assert.equal(quotas.isEmpty, true);
  assert.equal((await alterQuotaEntities(quotas, [{ entity: [user('a')], ops: [{ key: 'consumer_byte_rate', value: 0, remove: true }] }], false))[0].errorCode, ErrorCode.NONE);
});

test('describe filters: bad ones are refused, any matches the default name too', async () => {
  const quotas = ClientQuotas.inMemory();
  await alterQuotaEntities(quotas, [{ entity: [user(null)], ops: [set('producer_byte_rate', 10)] }], false);
  const refused = (components: { entityType: string; matchType: number; match: string | null }[]) => describeQuotaEntities(quotas, components, false).errorCode;
  assert.equal(refused([{ entityType: 'user', matchType: MATCH_EXACT, match: null }]), ErrorCode.INVALID_REQUEST);
  assert.equal(refused([{ entityType: 'topic', matchType: MATCH_ANY, match: null }]), ErrorCode.INVALID_REQUEST);
  assert.equal(refused([{ entityType: 'user', matchType: MATCH_ANY, match: null }, { entityType: 'user', matchType: MATCH_ANY, match: null }]), ErrorCode.INVALID_REQUEST);
  assert.equal(refused([{ entityType: 'ip', matchType: MATCH_ANY, match: null }, { entityType: 'user', matchType: MATCH_ANY, match: null }]), ErrorCode.INVALID_REQUEST);
  assert.equal(describeQuotaEntities(quotas, [{ entityType: 'user', matchType: MATCH_ANY, match: null }], false).entries?.length, 1);
  assert.equal(describeQuotaEntities(quotas, [], true).entries?.length, 0);
});
