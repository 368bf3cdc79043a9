// Transaction markers (COMMIT/ABORT control batches) and where one goes: a
// partition this broker leads takes it straight from its own transaction
// coordinator or from another broker's WriteTxnMarkers; a partition led
// elsewhere gets it through WriteTxnMarkers (txn-marker-sender.ts).
// Markers in __consumer_offsets go through the group coordinator, which
// applies (or drops) the transaction's offsets once the marker is committed.

import type { Broker } from '../../broker/broker.js';
import { ControlType } from '../../protocol/control-records.js';
import { Attr, writeCrc } from '../../protocol/record-batch.js';
import { encodeBatch } from '../../protocol/records.js';
import type { GroupCoordinator } from '../group/group-coordinator.js';
import { OFFSETS_TOPIC } from '../group/offset-store.js';
import { NotCoordinatorError } from '../not-coordinator-error.js';
import { ErrorCode } from '../../protocol/error-codes.js';

/**
 * A COMMIT or ABORT control batch: attributes transactional + control, one
 * record with key (version int16 0, type int16) and value (version int16 0,
 * coordinatorEpoch int32 0).
 */
export function markerBatch(producerId: number, producerEpoch: number, commit: boolean): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(commit ? ControlType.Commit : ControlType.Abort, 2);
  const value = Buffer.alloc(6);
  const batch = encodeBatch([{ key, value }], { producerId, producerEpoch, transactional: true });
  batch.writeInt16BE(batch.readInt16BE(21) | Attr.Control, 21);
  writeCrc(batch, 0);
  return batch;
}

/** 'here': this broker leads the partition and has it open; 'elsewhere': another broker leads it (or none now); 'gone': no such topic or partition (deleted: nothing left to mark). */
export type MarkerTarget = 'here' | 'elsewhere' | 'gone';

export function markerTarget(broker: Broker, topic: string, index: number): MarkerTarget {
  const partition = broker.cluster.topic(topic)?.partitions[index];
  if (!partition) return 'gone';
  return partition.leader === broker.cluster.nodeId && broker.partition(topic, index) ? 'here' : 'elsewhere';
}

/** Appends the marker to a partition markerTarget() found 'here'; resolves once it is committed. */
export async function writeMarkerHere(broker: Broker, groups: GroupCoordinator, topic: string, index: number, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
  const marker = markerBatch(producerId, producerEpoch, commit);
  if (topic === OFFSETS_TOPIC) return groups.writeTxnMarker(index, marker, producerId, commit);
  await broker.partition(topic, index)!.append(marker).committed;
}

/**
 * WriteTxnMarkers for one partition, asked by another broker's transaction
 * coordinator: NONE once the marker is committed here; NOT_LEADER_OR_FOLLOWER
 * when this broker does not lead the partition (or lost it meanwhile), so the
 * sender retries at the leader; UNKNOWN_TOPIC_OR_PARTITION when it does not exist.
 */
export async function serveMarker(broker: Broker, groups: GroupCoordinator, topic: string, index: number, producerId: number, producerEpoch: number, commit: boolean): Promise<number> {
  const target = markerTarget(broker, topic, index);
  if (target === 'gone') return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (target === 'elsewhere') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  try {
    await writeMarkerHere(broker, groups, topic, index, producerId, producerEpoch, commit);
    return ErrorCode.NONE;
  } catch (err) {
    return err instanceof NotCoordinatorError ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR;
  }
}
