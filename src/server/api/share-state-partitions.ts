// What Read/Write/DeleteShareGroupState (between brokers, KIP-932) have in
// common: only brokers (CLUSTER_ACTION) may send them, and each names
// share-partitions by group, topic id and partition, answered one by one.

import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ShareStateKey } from '../../coordinator/share/share-state-log.js';
import { CLUSTER_ACTION, mayOnCluster } from './authorize.js';
import type { RequestContext } from './handler.js';

/** The response's results: `answer` for each partition named, CLUSTER_AUTHORIZATION_FAILED (`refused`) for all when the sender is no broker. */
export async function answerPartitions(req: Message, ctx: RequestContext, refused: (errorCode: number) => Message, answer: (key: ShareStateKey, partition: Message) => Promise<Message>): Promise<Message> {
  const allowed = mayOnCluster(ctx, CLUSTER_ACTION);
  const results = await Promise.all(
    (req.topics as Message[]).map(async (t) => ({
      topicId: t.topicId,
      partitions: await Promise.all(
        (t.partitions as Message[]).map(async (p) => ({
          partition: p.partition,
          errorMessage: null,
          ...(allowed ? await answer({ groupId: req.groupId, topicId: (t.topicId as Buffer).toString('hex'), partition: p.partition }, p) : refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)),
        })),
      ),
    })),
  );
  return { results };
}
