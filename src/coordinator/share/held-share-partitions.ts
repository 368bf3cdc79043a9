// The share partitions this broker holds, as the leader of their topic
// partitions (KIP-932's share-partition leader), by group and topic partition.
// One is loaded when a read first reaches it, from the state its share
// coordinator stored (concurrent reads share one load); it is dropped when this
// broker stops leading the topic partition, or when its state is replaced
// (the next read loads the new one). Dropping one stops its lock timers and
// forgets what it held: whoever loads it next finds held records available.

import type { Partition } from '../../broker/partition.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { SharePartition, SharePartitionSnapshot } from './share-partition.js';
import type { ShareReadCache } from './share-read-cache.js';
import { type SessionPartition, sessionPartitionKey } from './share-sessions.js';
import { ShareStateError, type ShareStatePersister } from './share-state-persister.js';

/** A held share partition with where it reads from, as stats and figures list them. */
export interface HeldSharePartition {
  /** Its key (partitionKey): what dead-letter counts and read caches go by. */
  key: string;
  topic: string;
  partition: number;
  share: SharePartition;
}

/** Builds a share partition from its stored state (null: none stored). */
export type SharePartitionFactory = (groupId: string, p: SessionPartition, partition: Partition, snapshot: SharePartitionSnapshot | null) => SharePartition;

export const partitionKey = (groupId: string, p: SessionPartition): string => `${groupId}\u0000${sessionPartitionKey(p)}`;

function splitPartitionKey(key: string): { groupId: string; topicId: string; partition: number } {
  const nul = key.indexOf('\u0000');
  const [topicId, partition] = key.slice(nul + 1).split(':');
  return { groupId: key.slice(0, nul), topicId, partition: Number(partition) };
}

export class HeldSharePartitions {
  private readonly partitions = new Map<string, SharePartition>();
  /** Share partitions being loaded (their state read), by partition key: concurrent fetches share one load. */
  private readonly loading = new Map<string, Promise<number>>();

  constructor(
    private readonly persister: ShareStatePersister,
    /** Recent log reads of the share partitions, forgotten with them. */
    private readonly readCache: ShareReadCache,
    private readonly create: SharePartitionFactory,
    private readonly log: Logger,
  ) {}

  get(groupId: string, p: SessionPartition): SharePartition | undefined {
    return this.partitions.get(partitionKey(groupId, p));
  }

  /**
   * Loads one share partition from the state its share coordinator stored
   * (none: it starts per share.auto.offset.reset); concurrent calls share one
   * load. A load overtaken by a state change (forget) or a move of the
   * partition installs nothing: the next read loads again, or answers
   * NOT_LEADER_OR_FOLLOWER. Resolves to the error code of the read.
   */
  load(groupId: string, p: SessionPartition, partition: Partition): Promise<number> {
    const key = partitionKey(groupId, p);
    const running = this.loading.get(key);
    if (running) return running;
    const leaderEpoch = partition.leaderEpoch;
    const stateKey = { groupId, topicId: p.topicId, partition: p.partition };
    const load: Promise<number> = this.persister.read(stateKey, leaderEpoch).then(
      (snapshot) => {
        const overtaken = this.loading.get(key) !== load || !partition.isLeader || partition.leaderEpoch !== leaderEpoch || this.partitions.has(key);
        if (!overtaken) this.partitions.set(key, this.create(groupId, p, partition, snapshot));
        return ErrorCode.NONE;
      },
      (err) => {
        this.log.warn({ err, group: groupId, topicId: p.topicId, partition: p.partition }, 'share-partition state could not be read');
        return err instanceof ShareStateError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
      },
    );
    void load.finally(() => {
      if (this.loading.get(key) === load) this.loading.delete(key);
    });
    this.loading.set(key, load);
    return load;
  }

  /** Holds a share partition built from a state at hand (no read needed), unless one is held already. */
  hold(groupId: string, p: SessionPartition, partition: Partition, snapshot: SharePartitionSnapshot | null): void {
    const key = partitionKey(groupId, p);
    if (!this.partitions.has(key)) this.partitions.set(key, this.create(groupId, p, partition, snapshot));
  }

  /** Drops one share partition (its state is being replaced); a load in flight would install the state it read before. */
  forget(groupId: string, p: SessionPartition): void {
    const key = partitionKey(groupId, p);
    this.drop(key);
    this.loading.delete(key);
  }

  /** Drops the share partitions of a topic partition led elsewhere now; returns the groups that held one. */
  dropTopicPartition(topicId: string, partition: number): Set<string> {
    const suffix = `\u0000${sessionPartitionKey({ topicId, partition })}`;
    const groups = new Set<string>();
    for (const key of this.partitions.keys()) {
      if (!key.endsWith(suffix)) continue;
      this.drop(key);
      groups.add(splitPartitionKey(key).groupId);
    }
    for (const key of this.loading.keys()) if (key.endsWith(suffix)) this.loading.delete(key);
    return groups;
  }

  /** The held share partitions of a group, by topic name (from `topicName`) and partition. */
  of(groupId: string, topicName: (topicId: string) => string | undefined): HeldSharePartition[] {
    const out = [];
    for (const [key, share] of this.partitions) {
      const k = splitPartitionKey(key);
      if (k.groupId === groupId) out.push({ key, topic: topicName(k.topicId) ?? k.topicId, partition: k.partition, share });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /** The topic partitions a group holds share partitions of. */
  partitionsOf(groupId: string): SessionPartition[] {
    const prefix = `${groupId}\u0000`;
    return [...this.partitions.keys()].filter((key) => key.startsWith(prefix)).map((key) => splitPartitionKey(key));
  }

  /** The groups holding at least one share partition here. */
  groupIds(): Set<string> {
    return new Set([...this.partitions.keys()].map((key) => splitPartitionKey(key).groupId));
  }

  /** Gives back whatever `memberId` holds in any partition of the group. */
  releaseMember(groupId: string, memberId: string): void {
    const prefix = `${groupId}\u0000`;
    for (const [key, share] of this.partitions) if (key.startsWith(prefix)) share.releaseMember(memberId);
  }

  /** Stops every share partition's timers and forgets them all (the broker is closing). */
  clear(): void {
    for (const share of this.partitions.values()) share.close();
    this.partitions.clear();
    this.loading.clear();
  }

  private drop(key: string): void {
    this.partitions.get(key)?.close();
    this.partitions.delete(key);
    this.readCache.forget(key);
  }
}
