// The only reader and writer of the internal topic __share_group_state
// (records in share-state-log.ts). Owned by the ShareCoordinator. As the
// other coordinators' stores: created on first use (compacted,
// shareStateTopicNumPartitions partitions), each partition replayed from its
// log start when this broker becomes its leader, and a write resolves only
// once its record is committed (fsynced under group-commit), in log order per
// partition; a share-partition's state lives in partition
// abs(hashCode("group:topicId:partition")) mod N, as in Kafka.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../internal-topic.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import { type ShareStateKey, decodeShareStateRecord, shareSnapshotKey, shareSnapshotValue } from './share-state-log.js';

export const SHARE_STATE_TOPIC = '__share_group_state';

const placementKey = (k: ShareStateKey): string => `${k.groupId}:${k.topicId}:${k.partition}`;

/** The share coordinator's side of loading a partition of __share_group_state. */
export interface ShareStateShard {
  snapshot(key: ShareStateKey, snapshot: SharePartitionSnapshot | null): void;
  unload(isIn: (key: ShareStateKey) => boolean): void;
}

export class ShareStateStore {
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, log: Logger) {
    this.topic = new InternalTopic(broker, log, SHARE_STATE_TOPIC, config.shareStateTopicNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /**
   * Loads the partitions this broker leads, and from now on follows their
   * leadership (internal-topic.ts): `states.snapshot` sees every snapshot of a
   * loading partition in log order (the last one per key counts);
   * `states.unload(isIn)` when the broker stops leading one, `isIn` telling
   * the keys it held.
   */
  start(states: ShareStateShard): void {
    this.topic.start({
      record: (r) => {
        const rec = decodeShareStateRecord(r.key, r.value);
        if (rec !== null) states.snapshot(rec.key, rec.snapshot);
      },
      unload: (partition) => states.unload((key) => this.topic.partitionOf(placementKey(key)) === partition),
    });
  }

  stop(): void {
    this.topic.stop();
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
