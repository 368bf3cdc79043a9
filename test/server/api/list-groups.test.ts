// Regression: ListGroups stopped at v4. Proves v5 (KIP-848): each group names
// its type ('classic' for every group Sluice runs today), types_filter selects
// by type case-insensitively (unknown types match nothing), and it combines
// with the v4 states filter.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import type { Message } from '../../../src/protocol/codec.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ListGroupsRequest, ListGroupsResponse } from '../../../src/protocol/messages/list-groups.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';

const LIST_GROUPS = { request: ListGroupsRequest, response: ListGroupsResponse };

const { client } = await startTestBrokerWithClient({ after });
const admin = new Admin(client);
await admin.createTopic('lg-topic', 1);
await admin.commitOffsets('lg-group', [{ topic: 'lg-topic', partition: 0, offset: 0 }]);

async function listGroups(version: number, statesFilter: string[], typesFilter: string[]): Promise<Message[]> {
  const res = await (await client.any()).sendVersion(LIST_GROUPS, version, { statesFilter, typesFilter });
  assert.equal(res.errorCode, ErrorCode.NONE);
  return res.groups.map((g: Message) => [g.groupId, g.groupState, g.groupType]);
}

test('ListGroups v5 names each group\'s type', async () => {
  assert.deepEqual(await listGroups(5, [], []), [['lg-group', 'Empty', 'classic']]);
});

test('ListGroups v5 filters by type, case-insensitively, together with the states filter', async () => {
  assert.deepEqual(await listGroups(5, [], ['CLASSIC']), [['lg-group', 'Empty', 'classic']]);
  assert.deepEqual(await listGroups(5, [], ['consumer']), []);
  assert.deepEqual(await listGroups(5, [], ['no-such-type']), []);
  assert.deepEqual(await listGroups(5, ['empty'], ['classic']), [['lg-group', 'Empty', 'classic']]);
  assert.deepEqual(await listGroups(5, ['Stable'], ['classic']), []);
});

test('ListGroups v4 still answers without the type', async () => {
  assert.deepEqual(await listGroups(4, [], []), [['lg-group', 'Empty', '']]);
});
