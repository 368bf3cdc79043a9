// ElectLeaders v0-2 (v1+ names the election type, KIP-460; v0 is preferred
// only). The control plane runs each election by compare-and-swap; asked for
// every partition (null), only those an election changed or could not are
// answered, as Kafka does.

import type { ElectionResult } from '../../cluster/control-plane.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ElectLeadersRequest, ElectLeadersResponse } from '../../protocol/messages/elect-leaders.js';
import type { Message } from '../../protocol/codec.js';
import { ALTER, mayOnCluster } from './authorize.js';
import type { ApiHandler } from './handler.js';

const UNCLEAN = 1;

const ANSWERS: Record<ElectionResult['outcome'], { errorCode: number; errorMessage: string | null }> = {
  elected: { errorCode: ErrorCode.NONE, errorMessage: null },
  'not-needed': { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'the partition already has the leader this election would choose' },
  'not-available': { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'no replica this election may choose is live and eligible' },
  'unknown-partition': { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
};

export const electLeaders: ApiHandler = {
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [] };
    const type = ctx.apiVersion >= 1 && req.electionType === UNCLEAN ? 'unclean' : 'preferred';
    const asked = req.topicPartitions === null ? null : req.topicPartitions.flatMap((t: Message) => t.partitions.map((partition: number) => ({ topic: t.topic, partition })));
    const results = await ctx.broker.cluster.electLeaders(type, asked);
    const byTopic = new Map<string, Message[]>();
    for (const r of results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionId: r.partition, ...ANSWERS[r.outcome] }]);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })),
    };
  },
};
