// ReadShareGroupState v0 (KIP-932; flexible; between brokers): a
// share-partition leader asks the share coordinator of a partition (the leader
// of its key's partition of __share_group_state) for the partition's last
// stored state. A StartOffset of -1 says there is none. The state batches
// carry Sluice's notBefore (share-state-fields.ts).

import { a, f, message } from '../schema.js';
import { stateBatches } from '../share-state-fields.js';

export const ReadShareGroupStateRequest = message(84, 'ReadShareGroupStateRequest', '0', '0+', [
  f('groupId', 'string'),
  a('topics', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [f('partition', 'int32'), f('leaderEpoch', 'int32')]),
  ]),
]);

export const ReadShareGroupStateResponse = message(84, 'ReadShareGroupStateResponse', '0', '0+', [
  a('results', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [
      f('partition', 'int32'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullable: '0+' }),
      f('stateEpoch', 'int32'),
      f('startOffset', 'int64'),
      stateBatches,
    ]),
  ]),
]);
