// The only reader and writer of the internal topic __share_group_state
// (records in share-state-log.ts). Owned by the ShareCoordinator. As the
// other coordinators' stores: created on first use (compacted,
// shareStateTopicNumPartitions partitions), replayed from its log start at
// start-up, and a write resolves only once its record is committed (fsynced
// under group-commit), in log order per partition; a share-partition's state
// lives in partition abs(hashCode("group:topicId:partition")) mod N.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../internal-topic.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import { type ShareStateKey, decodeShareStateRecord, shareSnapshotKey, shareSnapshotValue } from './share-state-log.js';

export const SHARE_STATE_TOPIC = '__share_group_state';

const placementKey = (k: ShareStateKey): string => `${k.groupId}:${k.topicId}:${k.partition}`;

export class ShareStateStore {
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, private readonly log: Logger) {
    this.topic = new InternalTopic(broker, log, SHARE_STATE_TOPIC, config.shareStateTopicNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /** Replays the topic, if it exists; `onRecord` sees every snapshot in log order (the last one per key counts). */
  open(onRecord: (key: ShareStateKey, snapshot: SharePartitionSnapshot | null) => void): void {
    const records = this.topic.replay((r) => {
      const rec = decodeShareStateRecord(r.key, r.value);
      if (rec !== null) onRecord(rec.key, rec.snapshot);
    });
    if (this.topic.partitionCount > 0) this.log.info({ partitions: this.topic.partitionCount, records }, `loaded ${SHARE_STATE_TOPIC}`);
  }

  /** Writes a share-partition's state (null deletes it); resolves once it is committed. */
  write(key: ShareStateKey, snapshot: SharePartitionSnapshot | null, leaderEpoch: number): Promise<void> {
    const value = snapshot === null ? null : shareSnapshotValue(snapshot, leaderEpoch);
    return this.topic.write(placementKey(key), [{ key: shareSnapshotKey(key), value, timestamp: Date.now() }]);
  }

  settle(): Promise<void> {
    return this.topic.settle();
  }
}
