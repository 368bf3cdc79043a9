// The two places the broker looks inside the "consumer" embedded protocol,
// whose metadata and assignments are otherwise opaque bytes between members:
//
//   ConsumerProtocolSubscription (every version starts the same; later versions only append):
//     version int16, topics [string] (int32 count, int16-length strings), userData bytes?, ...
//   ConsumerProtocolAssignment v0:
//     version int16, assignedPartitions [topic string, partitions [int32]], userData bytes?
//
// Subscriptions tell OffsetDelete and offset expiry which topics a live group
// still reads (KIP-496); the empty assignment replaces zero bytes for members the
// leader gave nothing, because some clients cannot decode an empty buffer.

import { Reader } from '../../protocol/reader.js';

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
