// The records the group coordinator keeps in the compacted internal topic
// __consumer_offsets, in Kafka's own layouts (so tools that read Kafka's topic
// read ours). Key and value each open with an int16 version:
//
//   OffsetCommitKey v0-1    group string, topic string, partition int32
//   OffsetCommitValue v3    offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
//                           (v0/v2: no leaderEpoch; v1 adds expireTimestamp int64 at the end)
//   GroupMetadataKey v2     group string
//   GroupMetadataValue v3   protocolType string, generation int32, protocol string?, leader string?,
//                           currentStateTimestamp int64 (v2+),
//                           members [memberId string, groupInstanceId string? (v3+), clientId string,
//                                    clientHost string, rebalanceTimeout int32 (v1+),
//                                    sessionTimeout int32, subscription bytes, assignment bytes]
//
// v4 of both values is flexible (KIP-482 tagged fields); we write v3 and can read v0-4.
// A null value (tombstone) deletes its key: one committed offset, or a group's metadata.

import type { Message } from '../../protocol/codec.js';
import { MalformedFrameError } from '../../protocol/malformed-frame-error.js';
import { a, f, message } from '../../protocol/schema.js';
import { VersionedRecord } from '../versioned-record.js';

/** A committed offset as stored and as OffsetFetch returns it. */
export interface CommittedOffset {
  offset: number;
  /** Leader epoch of the record at `offset - 1` as the consumer saw it; -1 if unknown. */
  leaderEpoch: number;
  /** Client-chosen string; null commits are stored as "" (Kafka does the same). */
  metadata: string;
  /** When the commit happened (ms since epoch). */
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's chosen protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface StoredGroup {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  /** When the group entered its current state (ms); offsets of an empty group expire from here. */
  currentStateTimestamp: number;
  members: StoredMember[];
}

export type OffsetsRecord =
  | { kind: 'offset'; groupId: string; topic: string; partition: number; value: CommittedOffset | null }
  | { kind: 'group'; groupId: string; value: StoredGroup | null };

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

// The keys and values are not API messages; the schema codec describes them all the same (api key -1).
const OffsetCommitKey = new VersionedRecord(
  message(-1, 'OffsetCommitKey', '0-1', 'none', [f('group', 'string'), f('topic', 'string'), f('partition', 'int32')]),
);
const GroupMetadataKey = new VersionedRecord(message(-1, 'GroupMetadataKey', '2', 'none', [f('group', 'string')]));
const OffsetCommitValue = new VersionedRecord(
  message(-1, 'OffsetCommitValue', '0-4', '4+', [
    f('offset', 'int64'),
    f('leaderEpoch', 'int32', '3+', { default: -1 }),
    f('metadata', 'string'),
    f('commitTimestamp', 'int64'),
    f('expireTimestamp', 'int64', '1', { default: -1 }),
  ]),
);
const GroupMetadataValue = new VersionedRecord(
  message(-1, 'GroupMetadataValue', '0-4', '4+', [
    f('protocolType', 'string'),
    f('generation', 'int32'),
    f('protocol', 'string', '0+', { nullable: '0+' }),
    f('leader', 'string', '0+', { nullable: '0+' }),
    f('currentStateTimestamp', 'int64', '2+', { default: -1 }),
    a('members', '0+', [
      f('memberId', 'string'),
      f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
      f('clientId', 'string'),
      f('clientHost', 'string'),
      f('rebalanceTimeout', 'int32', '1+'),
      f('sessionTimeout', 'int32'),
      f('subscription', 'bytes'),
      f('assignment', 'bytes'),
    ]),
  ]),
);

export function offsetCommitKey(groupId: string, topic: string, partition: number): Buffer {
  return OffsetCommitKey.encode(OFFSET_KEY_VERSION, { group: groupId, topic, partition });
}

export function offsetCommitValue(o: CommittedOffset): Buffer {
  return OffsetCommitValue.encode(OFFSET_VALUE_VERSION, o);
}

export function groupMetadataKey(groupId: string): Buffer {
  return GroupMetadataKey.encode(GROUP_KEY_VERSION, { group: groupId });
}

export function groupMetadataValue(g: StoredGroup): Buffer {
  return GroupMetadataValue.encode(GROUP_VALUE_VERSION, {
    protocolType: g.protocolType,
    generation: g.generationId,
    protocol: g.protocolName,
    leader: g.leaderId,
    currentStateTimestamp: g.currentStateTimestamp,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.subscription,
      assignment: m.assignment,
    })),
  });
}

function copy(b: Buffer | null): Buffer {
  return b === null ? Buffer.alloc(0) : Buffer.from(b);
}

/**
 * Decodes one record of __consumer_offsets. Returns null for key or value
 * versions this broker does not know (skipped, as Kafka skips them); throws
 * MalformedFrameError for bytes that do not parse.
 */
export function decodeOffsetsRecord(key: Buffer | null, value: Buffer | null): OffsetsRecord | null {
  if (key === null) throw new MalformedFrameError('__consumer_offsets record without a key');
  const keyVersion = VersionedRecord.versionOf(key);
  if (keyVersion === 0 || keyVersion === 1) {
    const k = OffsetCommitKey.decode(key)!;
    let committed: CommittedOffset | null = null;
    if (value !== null) {
      const v = OffsetCommitValue.decode(value);
      if (v === null) return null;
      committed = { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata ?? '', commitTimestamp: v.commitTimestamp };
    }
    return { kind: 'offset', groupId: k.group, topic: k.topic, partition: k.partition, value: committed };
  }
  if (keyVersion === GROUP_KEY_VERSION) {
    const k = GroupMetadataKey.decode(key)!;
    let stored: StoredGroup | null = null;
    if (value !== null) {
      const v = GroupMetadataValue.decode(value);
      if (v === null) return null;
      stored = {
        protocolType: v.protocolType,
        generationId: v.generation,
        protocolName: v.protocol,
        leaderId: v.leader,
        currentStateTimestamp: v.currentStateTimestamp,
        members: v.members.map((m: Message) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout || m.sessionTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          subscription: copy(m.subscription),
          assignment: copy(m.assignment),
        })),
      };
    }
    return { kind: 'group', groupId: k.group, value: stored };
  }
  return null;
}

/** Kafka's rule for a group's partition of __consumer_offsets: abs(Java String.hashCode) mod N. */
export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0 (Math.abs would overflow).
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % numPartitions;
}
