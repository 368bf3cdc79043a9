// The share offsets APIs answer the zero UUID for a topic that does not exist.

const ZERO_UUID = Buffer.alloc(16);

/** The wire form of a coordinator topic id (hex), the zero UUID for none. */
export function topicIdBytes(topicId: string | null): Buffer {
  return topicId === null ? ZERO_UUID : Buffer.from(topicId, 'hex');
}
