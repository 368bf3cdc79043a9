// The shape OffsetCommit and TxnOffsetCommit share: topics of partitions with
// an offset, leader epoch and metadata in, one error code per partition out,
// and the same authorization.

import type { OffsetCommitEntry } from '../../coordinator/group/group-coordinator.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestContext } from './handler.js';
import { READ, mayOnGroup, mayOnTopic } from './authorize.js';

/**
 * Commits, through `commit`, the entries of topics the principal may READ; the
 * others answer TOPIC_AUTHORIZATION_FAILED, and every entry answers
 * GROUP_AUTHORIZATION_FAILED without READ on the group (Kafka's OffsetCommit
 * and TxnOffsetCommit checks). Errors come back in entry order.
 */
export async function commitAuthorized(
  ctx: RequestContext,
  groupId: string,
  entries: OffsetCommitEntry[],
  commit: (allowed: OffsetCommitEntry[]) => Promise<number[]>,
): Promise<number[]> {
  if (!mayOnGroup(ctx, READ, groupId)) return entries.map(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const refused = new Set(entries.map((e) => e.topic).filter((topic) => !mayOnTopic(ctx, READ, topic)));
  if (refused.size === 0) return commit(entries);
  const errors = await commit(entries.filter((e) => !refused.has(e.topic)));
  let i = 0;
  return entries.map((e) => (refused.has(e.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : errors[i++]));
}

/** Flattens a request's topics into entries, in request order. */
export function offsetCommitEntries(topics: Message[], commitTimestamp: (p: Message) => number): OffsetCommitEntry[] {
  return topics.flatMap((t: Message) =>
    t.partitions.map((p: Message) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
      commitTimestamp: commitTimestamp(p),
    })),
  );
}

/** The response topics, with `errors` (in request order) mapped onto the partitions. */
export function perPartitionErrors(topics: Message[], errors: number[]): Message[] {
  let i = 0;
  return topics.map((t: Message) => ({
    name: t.name,
    partitions: t.partitions.map((p: Message) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++] })),
  }));
}
