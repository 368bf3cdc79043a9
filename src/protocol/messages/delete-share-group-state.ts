// DeleteShareGroupState v0 (KIP-932; flexible; between brokers): forgets
// share-partitions' states (a tombstone in __share_group_state), as deleting
// a share group or its offsets does. Errors are per partition.

import { a, f, message } from '../schema.js';

export const DeleteShareGroupStateRequest = message(86, 'DeleteShareGroupStateRequest', '0', '0+', [
  f('groupId', 'string'),
  a('topics', '0+', [f('topicId', 'uuid'), a('partitions', '0+', [f('partition', 'int32')])]),
]);

export const DeleteShareGroupStateResponse = message(86, 'DeleteShareGroupStateResponse', '0', '0+', [
  a('results', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [f('partition', 'int32'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
  ]),
]);
