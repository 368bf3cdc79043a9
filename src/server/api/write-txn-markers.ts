// WriteTxnMarkers v1 (flexible): another broker's transaction coordinator asks
// this one, as leader of the named partitions, to append COMMIT or ABORT
// markers (coordinator/txn/txn-marker.ts). Each partition is answered once its
// marker is committed, or with NOT_LEADER_OR_FOLLOWER (the sender retries at
// the leader) or UNKNOWN_TOPIC_OR_PARTITION. The coordinator epoch is not
// checked: markers of one transaction are idempotent in effect.

import { serveMarker } from '../../coordinator/txn/txn-marker.js';
import type { Message } from '../../protocol/codec.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/write-txn-markers.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CLUSTER_ACTION, mayOnCluster } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const writeTxnMarkers: ApiHandler = {
  apiKey: 27,
  minVersion: 1,
  maxVersion: 1,
  request: WriteTxnMarkersRequest,
  response: WriteTxnMarkersResponse,
  async handle(req, ctx) {
    // Only brokers (CLUSTER_ACTION) write markers; anyone else gets every partition refused.
    const mayWrite = mayOnCluster(ctx, CLUSTER_ACTION);
    const markers = await Promise.all(
      req.markers.map(async (m: Message) => ({
        producerId: m.producerId,
        topics: await Promise.all(
          m.topics.map(async (t: Message) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partitionIndex: number) => ({
                partitionIndex,
                errorCode: !mayWrite ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : await serveMarker(ctx.broker, ctx.groups, t.name, partitionIndex, m.producerId, m.producerEpoch, m.transactionResult),
              })),
            ),
          })),
        ),
      })),
    );
    return { markers };
  },
};
