// Reads back what a partition holds, batch by batch, through Sluice's own
// client (a plain Fetch; no consumer group). Interop tests use it to check
// what a third-party producer wrote: the records, and the codec and record
// count of each stored batch, which show whether the client really compressed.
//
//   const batches = await readStoredBatches(client, 'orders', 0, { minRecords: 10 });
//   assert.equal(batches[0].codec, Codec.Gzip);

import type { KafkaClient } from '../../src/client/index.js';
import type { Message } from '../../src/protocol/codec.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { type BatchHeader, Codec, batchCodec } from '../../src/protocol/record-batch.js';
import { type Record, decodeBatch, forEachBatch } from '../../src/protocol/records.js';

export interface StoredBatch {
  header: BatchHeader;
  codec: Codec;
  records: Record[];
}

export interface ReadOptions {
  /** Offset to read from. Default 0. */
  fromOffset?: number;
  /** Keep fetching until this many records arrived (or the deadline passes). Default 1. */
  minRecords?: number;
  /** Give up after this long (ms) and return what arrived. Default 5000. */
  timeoutMs?: number;
}

const FETCH = { request: FetchRequest, response: FetchResponse };

/**
 * Fetches `topic`-`partition` from `fromOffset` until at least `minRecords`
 * records arrived or `timeoutMs` passed. Each fetch long-polls on the broker
 * (maxWaitMs), so waiting costs no busy loop. Throws on a partition error.
 */
export async function readStoredBatches(client: KafkaClient, topic: string, partition: number, options: ReadOptions = {}): Promise<StoredBatch[]> {
  const minRecords = options.minRecords ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  const info = await client.topic(topic);
  const conn = await client.node(info.partitions.find((p) => p.partition === partition)?.leader ?? -1);
  const out: StoredBatch[] = [];
  let offset = options.fromOffset ?? 0;
  let count = 0;
  while (count < minRecords && Date.now() < deadline) {
    const res = await conn.send(FETCH, {
      replicaId: -1,
      maxWaitMs: Math.max(1, Math.min(500, deadline - Date.now())),
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: info.topicId,
          partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 8 * 1024 * 1024 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p: Message = res.responses[0].partitions[0];
    if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
    const records: Buffer | null = p.records;
    if (!records || records.length === 0) continue;
    forEachBatch(records, (pos) => {
      const { header, records: inBatch } = decodeBatch(records, pos);
      if (header.baseOffset + header.lastOffsetDelta < offset) return;
      out.push({ header, codec: batchCodec(records, pos), records: inBatch });
      count += inBatch.filter((r) => r.offset >= offset).length;
      offset = header.baseOffset + header.lastOffsetDelta + 1;
    });
  }
  return out;
}

/** The records of `batches` at or after `fromOffset`, in offset order (a fetch returns whole batches). */
export function recordsOf(batches: StoredBatch[], fromOffset = 0): Record[] {
  return batches.flatMap((b) => b.records).filter((r) => r.offset >= fromOffset);
}
