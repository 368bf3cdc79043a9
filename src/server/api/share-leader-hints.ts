// The leader hints of ShareFetch and ShareAcknowledge answers (KIP-932, as
// KIP-951 gives them for Produce and Fetch): a partition answered
// NOT_LEADER_OR_FOLLOWER names, in CurrentLeader, the leader and epoch the
// control plane knows, and the answer's NodeEndpoints say where that broker
// is on the listener the request came in on, so the client goes there
// without a Metadata round trip. Partitions served here name this broker.

import { brokersOn } from '../../cluster/broker-endpoints.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestContext } from './handler.js';

export class ShareLeaderHints {
  private readonly leaders = new Set<number>();

  constructor(private readonly ctx: RequestContext) {}

  /** CurrentLeader of one partition's answer; `leaderEpoch` is the one this broker serves it at. */
  currentLeader(p: { topicId: string; partition: number; errorCode: number }, leaderEpoch: number): Message {
    if (p.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER) return { leaderId: this.ctx.config.nodeId, leaderEpoch };
    const assignment = this.ctx.broker.cluster.topicById(Buffer.from(p.topicId, 'hex'))?.partitions[p.partition];
    if (!assignment || assignment.leader < 0) return { leaderId: -1, leaderEpoch: -1 };
    this.leaders.add(assignment.leader);
    return { leaderId: assignment.leader, leaderEpoch: assignment.leaderEpoch };
  }

  /** The endpoints of the leaders named so far. */
  nodeEndpoints(): Message[] {
    return brokersOn(this.ctx.broker.cluster.brokers(), this.ctx.listener).filter((b) => this.leaders.has(b.nodeId));
  }
}
