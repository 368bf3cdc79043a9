// ShareAcknowledge v1-2 (KIP-932), flexible: acknowledgements outside a fetch.
// v2 adds IsRenewAck and AcknowledgeType 4, renew (KIP-1222), and returns the lock duration.

import { a, f, message } from '../schema.js';
import { acknowledgementTopics, leaderAndEndpoints } from '../share-fields.js';

export const ShareAcknowledgeRequest = message(79, 'ShareAcknowledgeRequest', '1-2', '0+', [
  f('groupId', 'string', '0+', { nullable: '0+' }),
  f('memberId', 'string', '0+', { nullable: '0+' }),
  f('shareSessionEpoch', 'int32'),
  f('isRenewAck', 'bool', '2+', { default: false }),
  acknowledgementTopics,
]);

export const ShareAcknowledgeResponse = message(79, 'ShareAcknowledgeResponse', '1-2', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  f('acquisitionLockTimeoutMs', 'int32', '2+'),
  a('responses', '0+', [
    f('topicId', 'uuid'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullable: '0+' }),
      leaderAndEndpoints.currentLeader,
    ]),
  ]),
  leaderAndEndpoints.nodeEndpoints,
]);
