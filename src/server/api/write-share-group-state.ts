// WriteShareGroupState v0 (KIP-932; between brokers): a share-partition leader
// stores a partition's whole state with this broker as its share coordinator
// (coordinator/share/share-state-coordinator.ts), answered once committed:
// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS when it does not hold the
// key's partition of __share_group_state, FENCED_LEADER_EPOCH when the
// sender's leader epoch is older than the stored one.

import { snapshotBatches } from '../../coordinator/share/share-state-log.js';
import { WriteShareGroupStateRequest, WriteShareGroupStateResponse } from '../../protocol/messages/write-share-group-state.js';
import type { ApiHandler } from './handler.js';
import { answerPartitions } from './share-state-partitions.js';

export const writeShareGroupState: ApiHandler = {
  apiKey: 85,
  minVersion: 0,
  maxVersion: 0,
  request: WriteShareGroupStateRequest,
  response: WriteShareGroupStateResponse,
  handle(req, ctx) {
    return answerPartitions(
      req,
      ctx,
      (errorCode) => ({ errorCode }),
      async (key, p) => ({ errorCode: await ctx.shares.states.write(key, { startOffset: p.startOffset, stateBatches: snapshotBatches(p.stateBatches) }, p.leaderEpoch) }),
    );
  },
};
