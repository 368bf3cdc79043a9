// A share consumer's acknowledgements not yet sent, per partition, and their
// wire form (ShareFetch/ShareAcknowledge AcknowledgementBatches): each batch
// is a run of consecutive offsets with one type and one release delay, since
// both are per batch on the wire (the delay is Sluice's releaseDelayMs tag).
//
//   offsets 4 5 6 | 7 | 9        → batches [4-6 accept] [7 release 2000 ms] [9 accept]
//   types   A A A | R | A
//
// Offsets in a partition are settled once each, so no offset is added twice.

/** ShareFetch/ShareAcknowledge acknowledgement types (KIP-932). */
export const AcknowledgeType = { Accept: 1, Release: 2, Reject: 3 } as const;
export type AcknowledgeType = (typeof AcknowledgeType)[keyof typeof AcknowledgeType];

/** One AcknowledgementBatch as the request schema takes it. */
export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
  releaseDelayMs: number;
}

interface Settled {
  offset: number;
  type: AcknowledgeType;
  delayMs: number;
}

/** A member's acknowledgements for one share session, per partition, until a request carries them. */
export class PendingAcknowledgements {
  private readonly byPartition = new Map<number, Settled[]>();

  /** Records `offset` of `partition` as settled with `type` (a release waits `delayMs` before redelivery). */
  add(partition: number, offset: number, type: AcknowledgeType, delayMs = 0): void {
    let list = this.byPartition.get(partition);
    if (!list) this.byPartition.set(partition, (list = []));
    list.push({ offset, type, delayMs: type === AcknowledgeType.Release ? delayMs : 0 });
  }

  get size(): number {
    return this.byPartition.size;
  }

  /** Removes and returns every partition's acknowledgements as batches. */
  takeAll(): Map<number, AcknowledgementBatch[]> {
    const out = new Map<number, AcknowledgementBatch[]>();
    for (const [partition, list] of this.byPartition) out.set(partition, toBatches(list));
    this.byPartition.clear();
    return out;
  }

  /** Forgets everything (the share session they belonged to is gone). */
  clear(): void {
    this.byPartition.clear();
  }
}

function toBatches(list: Settled[]): AcknowledgementBatch[] {
  const sorted = [...list].sort((a, b) => a.offset - b.offset);
  const batches: AcknowledgementBatch[] = [];
  for (const s of sorted) {
    const last = batches[batches.length - 1];
    if (last && last.lastOffset === s.offset - 1 && last.acknowledgeTypes[0] === s.type && last.releaseDelayMs === s.delayMs) last.lastOffset = s.offset;
    else batches.push({ firstOffset: s.offset, lastOffset: s.offset, acknowledgeTypes: [s.type], releaseDelayMs: s.delayMs });
  }
  return batches;
}
