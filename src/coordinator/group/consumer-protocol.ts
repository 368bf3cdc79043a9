// Where the broker looks inside the "consumer" embedded protocol, whose
// metadata and assignments are otherwise opaque bytes between members:
//
//   ConsumerProtocolSubscription (every version starts the same; later versions only append):
//     version int16, topics [string] (int32 count, int16-length strings), userData bytes?, ...
//   ConsumerProtocolAssignment v0:
//     version int16, assignedPartitions [topic string, partitions [int32]], userData bytes?
//
// Subscriptions tell OffsetDelete and offset expiry which topics a live group
// still reads (KIP-496); the empty assignment replaces zero bytes for members the
// leader gave nothing, because some clients cannot decode an empty buffer.
// DescribeGroups shows consumer-protocol (KIP-848) groups' subscriptions and
// assignments in these classic layouts (v0), so classic tools can read them.

import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** version 0, no partitions, null user data. */
export const EMPTY_CONSUMER_ASSIGNMENT: Buffer = Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);

/** The topics a ConsumerProtocolSubscription names, or null if the bytes do not parse as one. */
export function subscribedTopics(subscription: Buffer): string[] | null {
  try {
    const r = new Reader(subscription);
    if (r.int16() < 0) return null;
    const n = r.arrayLength(false, 2);
    if (n < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const topic = r.string(false);
      if (topic === null) return null;
      topics.push(topic);
    }
    return topics;
  } catch {
    return null;
  }
}

/** A ConsumerProtocolSubscription v0 naming `topics`, without user data. */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const w = new Writer(64).int16(0).int32(topics.length);
  for (const t of topics) w.string(t, false);
  return w.bytes(null, false).toBuffer();
}

/** A ConsumerProtocolAssignment v0 of `partitions` (by topic name), without user data. */
export function encodeAssignment(partitions: readonly { topic: string; partitions: readonly number[] }[]): Buffer {
  const w = new Writer(64).int16(0).int32(partitions.length);
  for (const t of partitions) {
    w.string(t.topic, false).int32(t.partitions.length);
    for (const p of t.partitions) w.int32(p);
  }
  return w.bytes(null, false).toBuffer();
}
