// ShareFetch v1-2 (KIP-932), flexible. A share-group member fetches records it
// then holds under an acquisition lock (AcquiredRecords), and may piggyback
// acknowledgements of earlier ones. v2 adds ShareAcquireMode (KIP-1206).
// Records stay raw bytes.

import { a, f, message } from '../schema.js';
import { acknowledgementTopics, leaderAndEndpoints } from '../share-fields.js';

export const ShareFetchRequest = message(78, 'ShareFetchRequest', '1-2', '0+', [
  f('groupId', 'string', '0+', { nullable: '0+' }),
  f('memberId', 'string', '0+', { nullable: '0+' }),
  f('shareSessionEpoch', 'int32'),
  f('maxWaitMs', 'int32'),
  f('minBytes', 'int32'),
  f('maxBytes', 'int32', '0+', { default: 0x7fffffff }),
  f('maxRecords', 'int32', '1+'),
  f('batchSize', 'int32', '1+'),
  f('shareAcquireMode', 'int8', '2+'),
  acknowledgementTopics,
  a('forgottenTopicsData', '0+', [
    f('topicId', 'uuid'),
    f('partitions', '[]int32'),
  ]),
]);

export const ShareFetchResponse = message(78, 'ShareFetchResponse', '1-2', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('acquisitionLockTimeoutMs', 'int32', '1+'),
  a('responses', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullable: '0+' }),
      f('acknowledgeErrorCode', 'int16'),
      f('acknowledgeErrorMessage', 'string', '0+', { nullable: '0+' }),
      leaderAndEndpoints.currentLeader,
      f('records', 'records'),
      a('acquiredRecords', '0+', [
        f('firstOffset', 'int64'),
        f('lastOffset', 'int64'),
        f('deliveryCount', 'int16'),
      ]),
    ]),
  ]),
  leaderAndEndpoints.nodeEndpoints,
]);
