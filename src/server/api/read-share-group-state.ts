// ReadShareGroupState v0 (KIP-932; between brokers): a share-partition leader
// asks this broker, as share coordinator, for a partition's stored state
// (coordinator/share/share-state-coordinator.ts). NOT_COORDINATOR or
// COORDINATOR_LOAD_IN_PROGRESS when it does not hold the key's partition of
// __share_group_state; a StartOffset of -1 when the partition has no state.

import { ErrorCode } from '../../protocol/error-codes.js';
import { ReadShareGroupStateRequest, ReadShareGroupStateResponse } from '../../protocol/messages/read-share-group-state.js';
import type { ApiHandler } from './handler.js';
import { answerPartitions } from './share-state-partitions.js';

const NO_STATE = { stateEpoch: 0, startOffset: -1, stateBatches: [] };

export const readShareGroupState: ApiHandler = {
  apiKey: 84,
  minVersion: 0,
  maxVersion: 0,
  request: ReadShareGroupStateRequest,
  response: ReadShareGroupStateResponse,
  handle(req, ctx) {
    return answerPartitions(
      req,
      ctx,
      (errorCode) => ({ errorCode, ...NO_STATE }),
      async (key) => {
        const read = await ctx.shares.states.read(key);
        if (read.errorCode !== ErrorCode.NONE || !read.snapshot) return { errorCode: read.errorCode, ...NO_STATE };
        return { errorCode: ErrorCode.NONE, stateEpoch: 0, startOffset: read.snapshot.startOffset, stateBatches: read.snapshot.stateBatches };
      },
    );
  },
};
