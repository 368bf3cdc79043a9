// The dispatch table: API key -> handler. ApiVersions is computed from this
// list, so the versions advertised are exactly the versions served.

import { MessageCodec, type Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ApiHandler } from './handler.js';
import { apiVersions } from './api-versions.js';
import { createPartitions } from './create-partitions.js';
import { consumerGroupDescribe } from './consumer-group-describe.js';
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js';
import { createTopics } from './create-topics.js';
import { deleteRecords } from './delete-records.js';
import { deleteTopics } from './delete-topics.js';
import { alterConfigs } from './alter-configs.js';
import { describeCluster } from './describe-cluster.js';
import { describeConfigs } from './describe-configs.js';
import { describeLogDirs } from './describe-log-dirs.js';
import { electLeaders } from './elect-leaders.js';
import { alterPartitionReassignments, listPartitionReassignments } from './partition-reassignments.js';
import { incrementalAlterConfigs } from './incremental-alter-configs.js';
import { fetch } from './fetch.js';
import { listOffsets } from './list-offsets.js';
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { metadata } from './metadata.js';
import { produce } from './produce.js';
import { deleteGroups } from './delete-groups.js';
import { describeGroups } from './describe-groups.js';
import { findCoordinator } from './find-coordinator.js';
import { heartbeat } from './heartbeat.js';
import { joinGroup } from './join-group.js';
import { leaveGroup } from './leave-group.js';
import { listGroups } from './list-groups.js';
import { offsetCommit } from './offset-commit.js';
import { offsetDelete } from './offset-delete.js';
import { offsetFetch } from './offset-fetch.js';
import { syncGroup } from './sync-group.js';
import { addOffsetsToTxn } from './add-offsets-to-txn.js';
import { addPartitionsToTxn } from './add-partitions-to-txn.js';
import { describeTransactions } from './describe-transactions.js';
import { endTxn } from './end-txn.js';
import { initProducerId } from './init-producer-id.js';
import { listTransactions } from './list-transactions.js';
import { txnOffsetCommit } from './txn-offset-commit.js';
import { writeTxnMarkers } from './write-txn-markers.js';
import { shareAcknowledge } from './share-acknowledge.js';
import { shareFetch } from './share-fetch.js';
import { shareGroupDescribe } from './share-group-describe.js';
import { shareGroupHeartbeat } from './share-group-heartbeat.js';
import { describeShareGroupOffsets } from './describe-share-group-offsets.js';
import { alterShareGroupOffsets } from './alter-share-group-offsets.js';
import { deleteShareGroupOffsets } from './delete-share-group-offsets.js';
import { readShareGroupState } from './read-share-group-state.js';
import { writeShareGroupState } from './write-share-group-state.js';
import { deleteShareGroupState } from './delete-share-group-state.js';
import { saslAuthenticate } from './sasl-authenticate.js';
import { saslHandshake } from './sasl-handshake.js';
import { alterUserScramCredentials, describeUserScramCredentials } from './user-scram-credentials.js';
import { alterClientQuotas, describeClientQuotas } from './client-quotas.js';
import { createAcls, deleteAcls, describeAcls } from './acls.js';

export interface HandlerEntry {
  handler: ApiHandler;
  /** Kafka's name of the API (Produce, Fetch, ...), for logs and metrics. */
  name: string;
  requestCodec: MessageCodec;
  responseCodec: MessageCodec;
}

const handlers: ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  offsetForLeaderEpoch,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
  createPartitions,
  describeCluster,
  describeLogDirs,
  // SASL authentication (sasl/sasl-session.ts) and its users' credentials.
  saslHandshake,
  saslAuthenticate,
  describeUserScramCredentials,
  alterUserScramCredentials,
  // Client quotas (broker/quota).
  describeClientQuotas,
  alterClientQuotas,
  // ACL bindings (broker/acl).
  describeAcls,
  createAcls,
  deleteAcls,
  // Replicas and leaders of a cluster (src/cluster).
  electLeaders,
  alterPartitionReassignments,
  listPartitionReassignments,
  // Consumer groups and committed offsets (src/coordinator/group).
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  deleteGroups,
  offsetDelete,
  // Consumer-protocol groups (KIP-848, src/coordinator/group/consumer).
  consumerGroupHeartbeat,
  consumerGroupDescribe,
  // Share groups: queues (KIP-932, src/coordinator/share).
  shareGroupHeartbeat,
  shareGroupDescribe,
  shareFetch,
  shareAcknowledge,
  describeShareGroupOffsets,
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
  // Share-partition state between share-partition leaders and share coordinators (KIP-932).
  readShareGroupState,
  writeShareGroupState,
  deleteShareGroupState,
  // Transactions (src/coordinator/txn).
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  txnOffsetCommit,
  describeTransactions,
  listTransactions,
];

const table = new Map<number, HandlerEntry>(
  handlers.map((handler) => [
    handler.apiKey,
    { handler, name: handler.request.name.replace(/Request$/, ''), requestCodec: new MessageCodec(handler.request), responseCodec: new MessageCodec(handler.response) },
  ]),
);

export function handlerFor(apiKey: number): HandlerEntry | undefined {
  return table.get(apiKey);
}

/** The ApiKeys list of an ApiVersions response. */
export function supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return handlers
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export function unsupportedApiVersionsResponse(): Message {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: supportedApis(), throttleTimeMs: 0 };
}
