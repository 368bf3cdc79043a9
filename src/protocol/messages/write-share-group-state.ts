// WriteShareGroupState v0 (KIP-932; flexible; between brokers): a
// share-partition leader stores a partition's whole state with its share
// coordinator, naming its leader epoch (an older one than the coordinator
// stored is fenced). The state batches carry Sluice's notBefore
// (share-state-fields.ts). Errors are per partition.

import { a, f, message } from '../schema.js';
import { stateBatches } from '../share-state-fields.js';

export const WriteShareGroupStateRequest = message(85, 'WriteShareGroupStateRequest', '0', '0+', [
  f('groupId', 'string'),
  a('topics', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [
      f('partition', 'int32'),
      f('stateEpoch', 'int32'),
      f('leaderEpoch', 'int32'),
      f('startOffset', 'int64'),
      stateBatches,
    ]),
  ]),
]);

export const WriteShareGroupStateResponse = message(85, 'WriteShareGroupStateResponse', '0', '0+', [
  a('results', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [f('partition', 'int32'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+' })]),
  ]),
]);
