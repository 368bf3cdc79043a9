// Sends Read/Write/DeleteShareGroupState v0 to another broker acting as a
// share coordinator (share-state-coordinator.ts), for one share-partition at a
// time, over the coordinators' inter-broker connections
// (broker-connections.ts). Each call gives the partition's error code, -1 when
// the request got no answer; the persister (share-state-persister.ts) decides
// whom to ask and what to retry.

import type { BrokerInfo } from '../../cluster/control-plane.js';
import type { InterBrokerSecurity } from '../../cluster/inter-broker-security.js';
import type { Logger } from '../../logger.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteShareGroupStateRequest, DeleteShareGroupStateResponse } from '../../protocol/messages/delete-share-group-state.js';
import { ReadShareGroupStateRequest, ReadShareGroupStateResponse } from '../../protocol/messages/read-share-group-state.js';
import { WriteShareGroupStateRequest, WriteShareGroupStateResponse } from '../../protocol/messages/write-share-group-state.js';
import { BrokerConnections } from '../broker-connections.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import { type ShareStateKey, snapshotBatches } from './share-state-log.js';
import type { ShareStateRead } from './share-state-coordinator.js';

const READ = { request: ReadShareGroupStateRequest, response: ReadShareGroupStateResponse };
const WRITE = { request: WriteShareGroupStateRequest, response: WriteShareGroupStateResponse };
const DELETE = { request: DeleteShareGroupStateRequest, response: DeleteShareGroupStateResponse };

/** A response's only partition result; null when there was no answer (the callers then report -1). */
const onlyPartition = (res: Message | null): Message | null => (res?.results[0]?.partitions[0] as Message | undefined) ?? null;

export class ShareStateSender {
  private readonly connections: BrokerConnections;

  constructor(log: Logger, security: InterBrokerSecurity) {
    this.connections = new BrokerConnections('sluice-share-state', log, security);
  }

  async read(coordinator: BrokerInfo, key: ShareStateKey, leaderEpoch: number): Promise<ShareStateRead> {
    const p = onlyPartition(await this.connections.send(coordinator, READ, 0, { groupId: key.groupId, topics: [{ topicId: Buffer.from(key.topicId, 'hex'), partitions: [{ partition: key.partition, leaderEpoch }] }] }));
    if (p === null) return { errorCode: -1 };
    if (p.errorCode !== ErrorCode.NONE) return { errorCode: p.errorCode };
    // A start offset of -1: the partition has no state.
    return { errorCode: ErrorCode.NONE, snapshot: p.startOffset < 0 ? null : { startOffset: p.startOffset, stateBatches: snapshotBatches(p.stateBatches) } };
  }

  async write(coordinator: BrokerInfo, key: ShareStateKey, snapshot: SharePartitionSnapshot, leaderEpoch: number): Promise<number> {
    const partition = { partition: key.partition, stateEpoch: 0, leaderEpoch, startOffset: snapshot.startOffset, stateBatches: snapshot.stateBatches };
    const p = onlyPartition(await this.connections.send(coordinator, WRITE, 0, { groupId: key.groupId, topics: [{ topicId: Buffer.from(key.topicId, 'hex'), partitions: [partition] }] }));
    return p === null ? -1 : p.errorCode;
  }

  async delete(coordinator: BrokerInfo, key: ShareStateKey): Promise<number> {
    const p = onlyPartition(await this.connections.send(coordinator, DELETE, 0, { groupId: key.groupId, topics: [{ topicId: Buffer.from(key.topicId, 'hex'), partitions: [{ partition: key.partition }] }] }));
    return p === null ? -1 : p.errorCode;
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}
