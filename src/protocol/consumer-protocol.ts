// The "consumer" embedded protocol: what group members put in JoinGroup
// metadata (their subscription) and what the leader hands out through
// SyncGroup (each member's assignment). Between classic members the broker
// treats both as opaque bytes; it reads and writes them itself for classic
// members of consumer-protocol groups (KIP-848) and to describe those groups.
// Every Kafka client reads and writes this layout (classic int16/int32
// lengths, never compact):
//
//   ConsumerProtocolSubscription
//     v0: version int16 | topics [string] | userData bytes (nullable)
//     v1: + ownedPartitions [topic string, partitions [int32]]   (KIP-429)
//     v2: + generationId int32 (KIP-792)    v3: + rackId string (KIP-881)
//   ConsumerProtocolAssignment (v0-v3 share one layout)
//     version int16 | assignedPartitions [topic string, partitions [int32]] | userData bytes (nullable)
//
// Later versions only append fields, so a decoder reads the prefix it knows
// and ignores the rest, as Kafka's own does. An empty buffer (what some
// coordinators send a member that was given nothing) decodes as an empty
// assignment.

import { Reader } from './reader.js';
import { Writer } from './writer.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface Subscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  /** v1+: partitions the member held in its last generation (empty for eager rebalancing). */
  ownedPartitions: TopicPartitions[];
}

export interface Assignment {
  version: number;
  partitions: TopicPartitions[];
  userData: Buffer | null;
}

function writeTopicPartitions(w: Writer, list: TopicPartitions[]): void {
  w.int32(list.length);
  for (const tp of list) {
    w.string(tp.topic, false);
    w.int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  // A topic entry takes at least 6 bytes (empty name, empty array), a partition 4.
  const n = r.arrayLength(false, 6);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.string(false) ?? '';
    const count = r.arrayLength(false, 4);
    const partitions: number[] = [];
    for (let j = 0; j < count; j++) partitions.push(r.int32());
    out.push({ topic, partitions });
  }
  return out;
}

/** Encodes a subscription as version 0 or 1 (the versions this client writes). */
export function encodeSubscription(s: Subscription): Buffer {
  const w = new Writer(64);
  w.int16(s.version);
  w.int32(s.topics.length);
  for (const t of s.topics) w.string(t, false);
  w.bytes(s.userData, false);
  if (s.version >= 1) writeTopicPartitions(w, s.ownedPartitions);
  return w.toBuffer();
}

/** Decodes any version's subscription; fields after ownedPartitions are ignored. Throws MalformedFrameError on bad bytes. */
export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf);
  const version = r.int16();
  const n = r.arrayLength(false, 2);
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.string(false) ?? '');
  // v0 writers may stop after the topics.
  const userData = r.remaining > 0 ? r.bytes(false) : null;
  const ownedPartitions = version >= 1 && r.remaining > 0 ? readTopicPartitions(r) : [];
  return { version, topics, userData, ownedPartitions };
}

export function encodeAssignment(a: Assignment): Buffer {
  const w = new Writer(64);
  w.int16(a.version);
  writeTopicPartitions(w, a.partitions);
  w.bytes(a.userData, false);
  return w.toBuffer();
}

/** Decodes any version's assignment; zero bytes is an empty one. Throws MalformedFrameError on bad bytes. */
export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { version: 0, partitions: [], userData: null };
  const r = new Reader(buf);
  const version = r.int16();
  const partitions = readTopicPartitions(r);
  const userData = r.remaining > 0 ? r.bytes(false) : null;
  return { version, partitions, userData };
}
