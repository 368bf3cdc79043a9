// Which mutated frames the fuzzer holds back: CreateTopics and CreatePartitions
// requests that decode and would have the broker create many partitions (a
// mutated count is easily 100,000, the broker's per-request maximum). Those
// are well-formed requests for a great deal of state: each partition is a
// directory with open files and a log in memory, so a handful of them grows
// the broker by hundreds of MiB and slows every later request, which says
// nothing about how the broker survives malformed input (and is for a
// partition quota to limit, not for the decoders).

import { MessageCodec } from '../../src/protocol/codec.js';
import { readRequestHeader, skipHeaderTags } from '../../src/protocol/headers.js';
import { CreatePartitionsRequest } from '../../src/protocol/messages/create-partitions.js';
import { CreateTopicsRequest } from '../../src/protocol/messages/create-topics.js';
import { Reader } from '../../src/protocol/reader.js';

/** Most partitions one topic of a sent CreateTopics or CreatePartitions request may ask for. */
export const MAX_PARTITIONS_PER_TOPIC = 64;

const createTopics = new MessageCodec(CreateTopicsRequest);
const createPartitions = new MessageCodec(CreatePartitionsRequest);

/** Whether `frame` (size prefix included) is a readable CreateTopics/CreatePartitions asking for more than MAX_PARTITIONS_PER_TOPIC in a topic. */
export function asksForManyPartitions(frame: Buffer): boolean {
  if (frame.length < 8) return false;
  const apiKey = frame.readInt16BE(4);
  const codec = apiKey === CreateTopicsRequest.apiKey ? createTopics : apiKey === CreatePartitionsRequest.apiKey ? createPartitions : null;
  if (!codec) return false;
  try {
    const r = new Reader(frame.subarray(4));
    const { apiVersion } = readRequestHeader(r);
    if (codec.isFlexible(apiVersion)) skipHeaderTags(r);
    const body = codec.decode(r, apiVersion);
    return (body.topics as { numPartitions?: number; count?: number; assignments?: unknown[] | null }[]).some(
      (topic) => (topic.numPartitions ?? topic.count ?? 0) > MAX_PARTITIONS_PER_TOPIC || (topic.assignments?.length ?? 0) > MAX_PARTITIONS_PER_TOPIC,
    );
  } catch {
    // Unreadable: the broker closes the connection without creating anything.
    return false;
  }
}
