// One share session (KIP-932) of a member with one partition leader: the
// partitions in it, the epoch the next request carries, the acknowledgements
// waiting to go, and the translation of ShareFetch/ShareAcknowledge.
//
//   epoch 0 opens (a ShareFetch naming the partitions)
//   1, 2, ... each request: ShareFetches add or forget partitions,
//             ShareAcknowledges carry acknowledgements
//   -1 closes (ShareAcknowledge on close: last acknowledgements, the rest goes back)
//
// Building a request takes its epoch, so requests are sent in the order they
// were built, on one connection: the broker steps the session as they arrive
// and several may be in flight. A failed request or a session error ends the
// session on our side: the next request opens a new one, and the broker gives
// back everything the member held on that leader. `generation` counts
// sessions, so that records of an ended one are never acknowledged in the next
// (the broker would refuse the whole partition's acknowledgements for them:
// INVALID_RECORD_STATE).

import type { Message } from '../../protocol/codec.js';
import { ShareAcknowledgeRequest, ShareAcknowledgeResponse } from '../../protocol/messages/share-acknowledge.js';
import { ShareFetchRequest, ShareFetchResponse } from '../../protocol/messages/share-fetch.js';
import type { ConsumedRecord } from '../fetched-records.js';
import { FetchedRecords } from '../fetched-records.js';
import { type AcknowledgementBatch, PendingAcknowledgements } from './acknowledgements.js';

/** ShareFetch's request and response schemas, for BrokerConnection.send. */
export const SHARE_FETCH = { request: ShareFetchRequest, response: ShareFetchResponse };
/** ShareAcknowledge's request and response schemas, for BrokerConnection.send. */
export const SHARE_ACKNOWLEDGE = { request: ShareAcknowledgeRequest, response: ShareAcknowledgeResponse };

const OPEN_EPOCH = 0;
const CLOSE_EPOCH = -1;
/**
 * A ShareFetch's MaxBytes. The broker reserves that much for the answer while
 * the request is in flight and reads no more of the connection past its
 * connectionMaxBufferedResponseBytes (16 MiB by default): under it, the
 * ShareAcknowledge sent behind a long-polling ShareFetch is read and applied
 * at once. A batch larger than this still comes whole (KIP-74).
 */
const FETCH_MAX_BYTES = 8 * 1024 * 1024;
/** v2's ShareAcquireMode: batch_optimized, the v1 behaviour (KIP-1206). */
const BATCH_OPTIMIZED = 0;

/** A record acquired by the member, with how many times it has been delivered (this time included). */
export interface ShareRecord extends ConsumedRecord {
  deliveryCount: number;
}

/** Per partition, the errors of one response. */
export interface PartitionErrors {
  partition: number;
  errorCode: number;
  acknowledgeErrorCode: number;
}

/** A member's share session with one partition leader (see the top of this file). */
export class LeaderSession {
  /** The epoch the next request carries. */
  private epoch = OPEN_EPOCH;
  /** Counts the sessions opened; records carry the one they came in. */
  generation = 0;
  private inSession = new Set<number>();
  readonly pending = new PendingAcknowledgements();

  constructor(
    readonly leaderId: number,
    private readonly groupId: string,
    private readonly memberId: string,
    private readonly topicId: Buffer,
  ) {}

  get open(): boolean {
    return this.epoch !== OPEN_EPOCH;
  }

  /** A ShareFetch for `wanted` (the assigned partitions this leader leads) taking up to `maxRecords`. */
  fetchRequest(wanted: number[], maxRecords: number, maxWaitMs: number): Message {
    const added = wanted.filter((p) => !this.inSession.has(p));
    const forgotten = [...this.inSession].filter((p) => !wanted.includes(p));
    this.inSession = new Set(wanted);
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: this.takeEpoch(),
      maxWaitMs,
      minBytes: 1,
      maxBytes: FETCH_MAX_BYTES,
      maxRecords,
      batchSize: maxRecords,
      shareAcquireMode: BATCH_OPTIMIZED,
      topics: added.length === 0 ? [] : [this.topicEntry(added, new Map())],
      forgottenTopicsData: forgotten.length === 0 ? [] : [{ topicId: this.topicId, partitions: forgotten }],
    };
  }

  /** A ShareAcknowledge with the pending acknowledgements; `final` closes the session. */
  acknowledgeRequest(final: boolean): Message {
    const acks = this.pending.takeAll();
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: final ? CLOSE_EPOCH : this.takeEpoch(),
      isRenewAck: false,
      topics: acks.size === 0 ? [] : [this.topicEntry([...acks.keys()], acks)],
    };
  }

  /** The epoch of the request being built; the next one carries the one after. */
  private takeEpoch(): number {
    const epoch = this.epoch;
    this.epoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    return epoch;
  }

  /** The session is gone (an error, a lost connection, or closed): the next fetch opens another. */
  reset(): void {
    this.epoch = OPEN_EPOCH;
    this.generation++;
    this.inSession.clear();
    this.pending.clear();
  }

  /** The acquired records of a ShareFetch answer, in partition and offset order, and each partition's errors. */
  records(res: Message, topic: string): { records: ShareRecord[]; errors: PartitionErrors[] } {
    const records: ShareRecord[] = [];
    const errors: PartitionErrors[] = [];
    for (const t of res.responses as Message[]) {
      if (!(t.topicId as Buffer).equals(this.topicId)) continue;
      for (const p of t.partitions as Message[]) {
        errors.push({ partition: p.partitionIndex, errorCode: p.errorCode, acknowledgeErrorCode: p.acknowledgeErrorCode });
        records.push(...acquiredRecords(topic, p.partitionIndex, p.records as Buffer | null, p.acquiredRecords as Message[]));
      }
    }
    return { records, errors };
  }

  private topicEntry(partitions: number[], acks: Map<number, AcknowledgementBatch[]>): Message {
    return {
      topicId: this.topicId,
      partitions: partitions.sort((a, b) => a - b).map((partitionIndex) => ({ partitionIndex, acknowledgementBatches: acks.get(partitionIndex) ?? [] })),
    };
  }
}

/** The records of `data` inside the AcquiredRecords ranges (the batches may hold others: those belong to other members or are settled). */
function acquiredRecords(topic: string, partition: number, data: Buffer | null, acquired: Message[]): ShareRecord[] {
  if (!data || data.length === 0 || acquired.length === 0) return [];
  const ranges = acquired.map((a) => ({ first: Number(a.firstOffset), last: Number(a.lastOffset), deliveryCount: a.deliveryCount as number }));
  const batches = new FetchedRecords(topic, partition, data, Math.min(...ranges.map((x) => x.first)));
  const lastAcquired = Math.max(...ranges.map((x) => x.last));
  const out: ShareRecord[] = [];
  for (let r = batches.take(); r !== null && r.offset <= lastAcquired; r = batches.take()) {
    const range = ranges.find((x) => x.first <= r!.offset && r!.offset <= x.last);
    // The record is a fresh object of its own: it takes its delivery count in place rather than in a copy.
    if (!range) continue;
    const record = r as ShareRecord;
    record.deliveryCount = range.deliveryCount;
    out.push(record);
  }
  return out;
}
