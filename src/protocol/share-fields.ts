// Fields ShareFetch and ShareAcknowledge (src/protocol/messages) both carry.

import { a, f, s } from './schema.js';

export const acknowledgementBatches = a('acknowledgementBatches', '0+', [
  f('firstOffset', 'int64'),
  f('lastOffset', 'int64'),
  f('acknowledgeTypes', '[]int8'),
  // Sluice's own tagged field: a release (type 2) in this batch makes the records
  // available again only after this many milliseconds (retry with backoff). Kafka
  // brokers skip unknown tags, so there it is a plain release. The tag number is
  // far above any Kafka uses.
  f('releaseDelayMs', 'int32', '0+', { tag: 10000, default: 0 }),
]);

/** The request's topics: each partition with the acknowledgements piggybacked on it. */
export const acknowledgementTopics = a('topics', '0+', [
  f('topicId', 'uuid'),
  a('partitions', '0+', [f('partitionIndex', 'int32'), acknowledgementBatches]),
]);

export const leaderAndEndpoints = {
  currentLeader: s('currentLeader', '0+', [
    f('leaderId', 'int32'),
    f('leaderEpoch', 'int32'),
  ]),
  nodeEndpoints: a('nodeEndpoints', '0+', [
    f('nodeId', 'int32'),
    f('host', 'string'),
    f('port', 'int32'),
    f('rack', 'string', '0+', { nullable: '0+' }),
  ]),
};
