// The share offsets admin APIs (DescribeShareGroupOffsets,
// AlterShareGroupOffsets, DeleteShareGroupOffsets; KIP-932) over the state the
// ShareCoordinator owns: each share-partition's start offset and lag
// (share-offsets.ts), read from its loaded or stored state, and changes that,
// as in Kafka, need an empty group (one known by stored state alone after a
// restart counts). A change replaces the state with a new start offset and
// nothing in flight (or forgets it) and is answered once stored.

import type { Partition } from '../../broker/partition.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { TopicInfo, TopicView } from '../group/consumer/consumer-group.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import type { SessionPartition } from './share-sessions.js';
import { ShareStateError } from './share-state-persister.js';
import {
  type AlterShareOffsetsResult,
  type DeleteShareOffsetsResult,
  type ShareOffsetError,
  type SharePartitionOffset,
  type ShareTopicOffsets,
  type TopicPartitions,
  UNINITIALIZED_START_OFFSET,
  shareLag,
} from './share-offsets.js';

/** What the admin calls need of the ShareCoordinator. */
export interface ShareOffsetHost {
  readonly topics: TopicView;
  readonly log: Logger;
  /** The open partition of a topic on this broker. */
  partition(topic: string, index: number): Partition | undefined;
  /** The type of a classic or consumer group of that id, else null. */
  otherGroupType(groupId: string): string | null;
  /** The share group's state (Empty, Stable), undefined when it has no members' group here. */
  groupState(groupId: string): string | undefined;
  /** The partitions the group has state for, loaded or stored. */
  statesOf(groupId: string): SessionPartition[];
  /** One partition's state, loaded or stored. */
  stateOf(groupId: string, p: SessionPartition): SharePartitionSnapshot | undefined;
  /** Replaces a partition's state (null: forgets it); resolves once it is stored. */
  setState(groupId: string, p: SessionPartition, state: SharePartitionSnapshot | null): Promise<void>;
}

const UNKNOWN_PARTITION: ShareOffsetError = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };

export class ShareOffsetAdmin {
  constructor(private readonly host: ShareOffsetHost) {}

  /**
   * DescribeShareGroupOffsets for one group: each partition's start offset,
   * leader epoch and lag; -1 where the group has no state, and for topics that
   * do not exist (absence of data, not an error, as Kafka answers). `topics`
   * null: every partition the group has state for.
   */
  describe(groupId: string, topics: TopicPartitions[] | null): ShareTopicOffsets[] {
    return (topics ?? this.topicsWithState(groupId)).map(({ topic, partitions }) => {
      const info = this.host.topics.byName(topic);
      return { topic, topicId: info?.topicId ?? null, partitions: partitions.map((partition) => this.offsetOf(groupId, info, partition)) };
    });
  }

  /**
   * AlterShareGroupOffsets: sets the start offset of partitions of an empty
   * share group. Whatever the group knew of those partitions is dropped: the
   * next fetch starts at the new offset with nothing delivered. A negative
   * offset forgets the partition, which then starts per share.auto.offset.reset.
   * Answers once the new states are stored.
   */
  async alter(groupId: string, topics: { topic: string; partitions: { partition: number; startOffset: number }[] }[]): Promise<AlterShareOffsetsResult> {
    const refused = this.refuseOffsetChange(groupId);
    if (refused) return { ...refused, topics: [] };
    const writes: Promise<void>[] = [];
    const out = topics.map(({ topic, partitions }) => {
      const info = this.host.topics.byName(topic);
      return {
        topic,
        topicId: info?.topicId ?? null,
        partitions: partitions.map(({ partition, startOffset }) => {
          if (!info || partition < 0 || partition >= info.partitions) return { partition, ...UNKNOWN_PARTITION };
          const result: { partition: number } & ShareOffsetError = { partition, errorCode: ErrorCode.NONE, errorMessage: null };
          const state = startOffset < 0 ? null : { startOffset, stateBatches: [] };
          writes.push(this.host.setState(groupId, { topicId: info.topicId, partition }, state).catch((err) => void Object.assign(result, this.storeFailure(err, groupId))));
          return result;
        }),
      };
    });
    await Promise.all(writes);
    this.host.log.info({ group: groupId, topics: topics.map((t) => t.topic) }, 'share group offsets altered');
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: out };
  }

  /** DeleteShareGroupOffsets: forgets an empty share group's state for whole topics. */
  async delete(groupId: string, topics: string[]): Promise<DeleteShareOffsetsResult> {
    const refused = this.refuseOffsetChange(groupId);
    if (refused) return { ...refused, topics: [] };
    const states = this.host.statesOf(groupId);
    const out = await Promise.all(
      topics.map(async (topic) => {
        const info = this.host.topics.byName(topic);
        if (!info) return { topic, topicId: null, ...UNKNOWN_PARTITION };
        const held = states.filter((s) => s.topicId === info.topicId);
        if (held.length === 0) return { topic, topicId: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'There is no offset information to delete.' };
        try {
          await Promise.all(held.map((s) => this.host.setState(groupId, s, null)));
          return { topic, topicId: info.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (err) {
          return { topic, topicId: info.topicId, ...this.storeFailure(err, groupId) };
        }
      }),
    );
    this.host.log.info({ group: groupId, topics }, 'share group offsets deleted');
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: out };
  }

  /** Why the offsets of `groupId` may not be changed now (Kafka's checks, in its order), or null. */
  private refuseOffsetChange(groupId: string): ShareOffsetError | null {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'the group id is empty' };
    const other = this.host.otherGroupType(groupId);
    if (other !== null) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is a ${other} group, not a share group.` };
    const state = this.host.groupState(groupId);
    // After a restart a group that has members no more is known by its stored state alone.
    if (state === undefined && this.host.statesOf(groupId).length === 0) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a share group here.` };
    if (state !== undefined && state !== 'Empty') return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `Share group ${groupId} has members; only an empty group's offsets can change.` };
    return null;
  }

  /** statesOf by topic name, partitions in order, topics that no longer exist left out. */
  private topicsWithState(groupId: string): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const s of this.host.statesOf(groupId)) {
      const name = this.host.topics.byId(s.topicId)?.name;
      if (name !== undefined) byTopic.set(name, [...(byTopic.get(name) ?? []), s.partition]);
    }
    return [...byTopic].sort(([a], [b]) => a.localeCompare(b)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  private offsetOf(groupId: string, topic: TopicInfo | undefined, partition: number): SharePartitionOffset {
    const state = topic && this.host.stateOf(groupId, { topicId: topic.topicId, partition });
    const log = topic && this.host.partition(topic.name, partition);
    if (!state || !log) return { partition, startOffset: UNINITIALIZED_START_OFFSET, leaderEpoch: -1, lag: -1 };
    return { partition, startOffset: state.startOffset, leaderEpoch: log.leaderEpoch, lag: shareLag(state, log.logStartOffset, log.highWatermark) };
  }

  private storeFailure(err: unknown, groupId: string): ShareOffsetError {
    this.host.log.error({ err, group: groupId }, 'share-partition state could not be stored');
    return { errorCode: err instanceof ShareStateError ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: 'the share-partition state could not be stored' };
  }
}
