// The share coordinator (KIP-932): the keeper of share-partitions' stored
// states. A key "group:topicId:partition" belongs to its partition of
// __share_group_state, and this broker answers for it while it leads that
// partition (share-state-store.ts loads and unloads with leadership). It keeps
// the latest state of every key of its loaded partitions, answers reads from
// it and stores writes: the share-partition leaders' (through the persister,
// share-state-persister.ts, at once on this broker or by
// Read/Write/DeleteShareGroupState from another).
//
// A write names the leader epoch of the share-partition leader that sends it;
// one older than the epoch stored for the key is refused with
// FENCED_LEADER_EPOCH, so a deposed leader cannot overwrite its successor's
// state (Kafka's rule). A write with epoch -1 comes from no leader (an admin
// change of the group's offsets) and is not fenced; it keeps the stored epoch.
//
//   read:  NOT_COORDINATOR | COORDINATOR_LOAD_IN_PROGRESS | the latest state (null: none)
//   write: NOT_COORDINATOR | COORDINATOR_LOAD_IN_PROGRESS | FENCED_LEADER_EPOCH | KAFKA_STORAGE_ERROR | stored
//          (COORDINATOR_NOT_AVAILABLE when the write that was to create __share_group_state failed)

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { NotCoordinatorError } from '../not-coordinator-error.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import type { ShareStateKey, StoredShareState } from './share-state-log.js';
import { ShareStateStore, placementKey } from './share-state-store.js';

export type ShareStateRead = { errorCode: typeof ErrorCode.NONE; snapshot: SharePartitionSnapshot | null } | { errorCode: number; snapshot?: undefined };

export class ShareStateCoordinator {
  private readonly store: ShareStateStore;
  /** The latest state of each key of the loaded partitions, by placement key. */
  private readonly latest = new Map<string, { key: ShareStateKey; state: StoredShareState }>();

  constructor(broker: Broker, config: BrokerConfig, private readonly log: Logger) {
    this.store = new ShareStateStore(broker, config, log);
  }

  /** Loads the partitions of __share_group_state this broker leads, and from now on follows their leadership. */
  start(): void {
    this.store.start({
      state: (key, state) => {
        if (state === null) this.latest.delete(placementKey(key));
        else this.latest.set(placementKey(key), { key, state });
      },
      unload: (isIn) => {
        for (const [k, { key }] of this.latest) if (isIn(key)) this.latest.delete(k);
      },
    });
  }

  /** NONE when this broker is the key's share coordinator, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownership(key: ShareStateKey): number {
    return this.store.ownership(key);
  }

  /** The key's latest state, once the writes to its partition in flight have settled; null when it has none. */
  async read(key: ShareStateKey): Promise<ShareStateRead> {
    const owned = this.store.ownership(key);
    if (owned !== ErrorCode.NONE) return { errorCode: owned };
    await this.store.settled(key);
    const again = this.store.ownership(key);
    if (again !== ErrorCode.NONE) return { errorCode: again };
    return { errorCode: ErrorCode.NONE, snapshot: this.latest.get(placementKey(key))?.state.snapshot ?? null };
  }

  /** Stores the key's state (null: a tombstone); the error code once committed or refused. */
  async write(key: ShareStateKey, snapshot: SharePartitionSnapshot | null, leaderEpoch: number): Promise<number> {
    const owned = this.store.ownership(key);
    if (owned !== ErrorCode.NONE) return owned;
    const k = placementKey(key);
    const storedEpoch = this.latest.get(k)?.state.leaderEpoch ?? -1;
    if (snapshot !== null && leaderEpoch !== -1 && leaderEpoch < storedEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    const state = snapshot === null ? null : { snapshot, leaderEpoch: Math.max(leaderEpoch, storedEpoch) };
    const creating = !this.store.exists();
    try {
      await this.store.write(key, state, () => {
        if (state === null) this.latest.delete(k);
        else this.latest.set(k, { key, state });
      });
      return ErrorCode.NONE;
    } catch (err) {
      // Leadership moved while the write was in flight: the sender asks the new coordinator.
      if (err instanceof NotCoordinatorError) return ErrorCode.NOT_COORDINATOR;
      // Another broker created __share_group_state at the same time: the next try finds it, and the key's coordinator.
      if (creating) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      this.log.error({ err, key: k }, 'share-partition state could not be stored');
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  /** The keys of `groupId` with a state here, and their latest snapshots. */
  statesOf(groupId: string): { key: ShareStateKey; snapshot: SharePartitionSnapshot }[] {
    const out = [];
    for (const { key, state } of this.latest.values()) if (key.groupId === groupId) out.push({ key, snapshot: state.snapshot });
    return out;
  }

  /** Every key with a state here. */
  keys(): ShareStateKey[] {
    return [...this.latest.values()].map((e) => e.key);
  }

  /** The key's latest snapshot when this broker holds it. */
  snapshotOf(key: ShareStateKey): SharePartitionSnapshot | undefined {
    return this.latest.get(placementKey(key))?.state.snapshot;
  }

  stop(): void {
    this.store.stop();
  }

  settle(): Promise<void> {
    return this.store.settle();
  }
}
