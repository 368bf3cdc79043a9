// The records the share coordinator keeps in the compacted internal topic
// __share_group_state, in Kafka's layouts (share-coordinator's ShareSnapshot):
//
//   ShareSnapshotKey v0     (key version 0) groupId string, topicId uuid, partition int32
//   ShareSnapshotValue v0   flexible: snapshotEpoch uint16, stateEpoch int32, leaderEpoch int32,
//                           startOffset int64, stateBatches [firstOffset int64, lastOffset int64,
//                           deliveryState int8 (0 available, 2 acknowledged, 4 archived),
//                           deliveryCount int16, notBefore int64 (Sluice's tag 10000)]
//
// Sluice writes a whole snapshot at each change (the last record per key is
// the state); Kafka's ShareUpdate records (key version 1), which Sluice does
// not write, are skipped when read. A null value deletes the partition's state.
//
// notBefore is Sluice's own tagged field of a state batch (protocol/share-state-fields.ts).

import { MalformedFrameError } from '../../protocol/malformed-frame-error.js';
import type { Message } from '../../protocol/codec.js';
import { f, message } from '../../protocol/schema.js';
import { stateBatches } from '../../protocol/share-state-fields.js';
import { VersionedRecord } from '../versioned-record.js';
import type { SharePartitionSnapshot } from './share-partition.js';

const SNAPSHOT_KEY_VERSION = 0;
const SNAPSHOT_VALUE_VERSION = 0;

const ShareSnapshotKey = new VersionedRecord(
  message(-1, 'ShareSnapshotKey', '0', 'none', [f('groupId', 'string'), f('topicId', 'uuid'), f('partition', 'int32')]),
);
const ShareSnapshotValue = new VersionedRecord(
  message(-1, 'ShareSnapshotValue', '0', '0+', [
    f('snapshotEpoch', 'uint16'),
    f('stateEpoch', 'int32'),
    f('leaderEpoch', 'int32'),
    f('startOffset', 'int64'),
    stateBatches,
  ]),
);

export interface ShareStateKey {
  groupId: string;
  /** Hex, as the coordinator keeps topic ids. */
  topicId: string;
  partition: number;
}

export function shareSnapshotKey(k: ShareStateKey): Buffer {
  return ShareSnapshotKey.encode(SNAPSHOT_KEY_VERSION, { groupId: k.groupId, topicId: Buffer.from(k.topicId, 'hex'), partition: k.partition });
}

export function shareSnapshotValue(s: SharePartitionSnapshot, leaderEpoch: number): Buffer {
  return ShareSnapshotValue.encode(SNAPSHOT_VALUE_VERSION, { snapshotEpoch: 0, stateEpoch: 0, leaderEpoch, startOffset: s.startOffset, stateBatches: s.stateBatches });
}

/** A share-partition's state as stored: the snapshot and the leader epoch of the share-partition leader that wrote it. */
export interface StoredShareState {
  snapshot: SharePartitionSnapshot;
  leaderEpoch: number;
}

/**
 * Decodes one record of __share_group_state: the partition and its state
 * (null for a tombstone). Returns null for records Sluice does not keep
 * (ShareUpdate, unknown versions); throws MalformedFrameError for bytes that do not parse.
 */
export function decodeShareStateRecord(key: Buffer | null, value: Buffer | null): { key: ShareStateKey; state: StoredShareState | null } | null {
  if (key === null) throw new MalformedFrameError('__share_group_state record without a key');
  if (VersionedRecord.versionOf(key) !== SNAPSHOT_KEY_VERSION) return null;
  const k = ShareSnapshotKey.decode(key)!;
  const stateKey = { groupId: k.groupId, topicId: (k.topicId as Buffer).toString('hex'), partition: k.partition };
  if (value === null) return { key: stateKey, state: null };
  const v = ShareSnapshotValue.decode(value);
  if (v === null) return null;
  return { key: stateKey, state: { snapshot: { startOffset: v.startOffset, stateBatches: snapshotBatches(v.stateBatches as Message[]) }, leaderEpoch: v.leaderEpoch } };
}

/** A snapshot's state batches from their wire form (a record's, or a Read/WriteShareGroupState message's): notBefore only where set. */
export function snapshotBatches(batches: Message[]): SharePartitionSnapshot['stateBatches'] {
  return batches.map((b) => ({
    firstOffset: b.firstOffset,
    lastOffset: b.lastOffset,
    deliveryState: b.deliveryState,
    deliveryCount: b.deliveryCount,
    ...(Number(b.notBefore) > 0 && { notBefore: Number(b.notBefore) }),
  }));
}
