// DeleteShareGroupState v0 (KIP-932; between brokers): forgets partitions'
// states (a tombstone in __share_group_state) with this broker as their share
// coordinator (coordinator/share/share-state-coordinator.ts), answered once
// committed; NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS when it does not
// hold the key's partition.

import { DeleteShareGroupStateRequest, DeleteShareGroupStateResponse } from '../../protocol/messages/delete-share-group-state.js';
import type { ApiHandler } from './handler.js';
import { answerPartitions } from './share-state-partitions.js';

export const deleteShareGroupState: ApiHandler = {
  apiKey: 86,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupStateRequest,
  response: DeleteShareGroupStateResponse,
  handle(req, ctx) {
    return answerPartitions(
      req,
      ctx,
      (errorCode) => ({ errorCode }),
      async (key) => ({ errorCode: await ctx.shares.states.write(key, null, -1) }),
    );
  },
};
