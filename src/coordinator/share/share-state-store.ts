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
import { type ShareStateKey, type StoredShareState, decodeShareStateRecord, shareSnapshotKey, shareSnapshotValue } from './share-state-log.js';

export const SHARE_STATE_TOPIC = '__share_group_state';

/** The key a share-partition's state is placed by (Kafka's "group:topicId:partition"). */
export const placementKey = (k: ShareStateKey): string => `${k.groupId}:${k.topicId}:${k.partition}`;

/** The share coordinator's side of loading a partition of __share_group_state. */
export interface ShareStateShard {
  state(key: ShareStateKey, state: StoredShareState | null): void;
  unload(isIn: (key: ShareStateKey) => boolean): void;
}

export class ShareStateStore {
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, log: Logger) {
    this.topic = new InternalTopic(broker, log, SHARE_STATE_TOPIC, config.shareStateTopicNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /**
   * Loads the partitions this broker leads, and from now on follows their
   * leadership (internal-topic.ts): `states.state` sees every state of a
   * loading partition in log order (the last one per key counts);
   * `states.unload(isIn)` when the broker stops leading one, `isIn` telling
   * the keys it held.
   */
  start(states: ShareStateShard): void {
    this.topic.start({
      record: (r) => {
        const rec = decodeShareStateRecord(r.key, r.value);
        if (rec !== null) states.state(rec.key, rec.state);
      },
      unload: (partition) => states.unload((key) => this.topic.partitionOf(placementKey(key)) === partition),
    });
  }

  stop(): void {
    this.topic.stop();
  }

  /** Whether `key` is coordinated here: NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS (InternalTopic.ownership). */
  ownership(key: ShareStateKey): number {
    return this.topic.ownership(placementKey(key));
  }

  /** Whether the topic exists as far as this broker knows (its first write creates it). */
  exists(): boolean {
    return this.topic.partitionCount > 0;
  }

  /** Resolves once every write made so far to the partition holding `key` has settled. */
  settled(key: ShareStateKey): Promise<void> {
    return this.topic.settled(placementKey(key));
  }

  /** Writes a share-partition's state (null deletes it); resolves once it is committed, `onCommitted` just before. */
  write(key: ShareStateKey, state: StoredShareState | null, onCommitted: () => void): Promise<void> {
    const value = state === null ? null : shareSnapshotValue(state.snapshot, state.leaderEpoch);
    return this.topic.write(placementKey(key), [{ key: shareSnapshotKey(key), value, timestamp: Date.now() }], onCommitted);
  }

  settle(): Promise<void> {
    return this.topic.settle();
  }
}
