// Following a topic's partitions as records arrive, for the push routes (SSE,
// WebSocket). Reads go through scanRecords up to the high watermark, in turns
// of at most TURN_RECORDS per partition so that a busy partition does not
// starve the others; when every partition is caught up the tail parks on the
// partitions' own wakeups (Partition.onData, the ones a long-polling Fetch
// waits on), so an idle stream costs no CPU and no timer. Records appended but
// not yet committed are waited for by their fsync (awaitLogEnd), as a fetch does.
//
// `next` maps each followed partition to the next offset to read; the tail
// moves it past each record before yielding it, so a caller that reads `next`
// after a record knows where a resumed stream starts.

import { listOffset } from '../broker/list-offsets.js';
import type { Partition } from '../broker/partition.js';
import { scanRecords } from '../broker/partition-scan.js';
import type { Record as StoredRecord } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { partitionOf } from './partition-lookup.js';

/** Records read from one partition before the tail turns to the next. */
const TURN_RECORDS = 500;
/** Bytes of batches read per turn (the first batch always goes whole). */
const TURN_BYTES = 1024 * 1024;

export interface TailedRecord {
  partition: number;
  record: StoredRecord;
}

export interface TailStart {
  /** One partition, or all when undefined. */
  partition?: number;
  /** Needs `partition`. */
  offset?: number;
  /** The first record at or after this time (ms), in each partition. */
  time?: number;
  /** Where partitions start that neither offset nor time place; default earliest. */
  from?: 'earliest' | 'latest';
}

/** The query fields of a TailStart, for the routes' schemas. */
export const TAIL_START_QUERY = {
  partition: { type: 'integer', minimum: 0, description: 'follow one partition; default all' },
  offset: { type: 'integer', minimum: 0, description: 'first offset (needs partition)' },
  time: { type: 'integer', minimum: 0, description: 'start at the first record with a timestamp at or after this (ms)' },
  from: { type: 'string', enum: ['earliest', 'latest'], default: 'earliest', description: 'where to start without offset or time' },
} as const;

/** Where a tail of `topic` starts, per partition: next offset to read. */
export async function startPositions(ctx: HttpApiContext, topic: string, start: TailStart): Promise<Map<number, number>> {
  const metadata = ctx.broker.cluster.topic(topic);
  if (!metadata) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${topic}'`, 'GET /topics lists the topics');
  if (start.offset !== undefined && start.time !== undefined) throw new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', 'give offset or time, not both');
  if (start.offset !== undefined && start.partition === undefined) throw new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', 'an offset needs a partition', 'add partition=<n>, or start all partitions with time or from');
  const indexes = start.partition === undefined ? metadata.partitions.map((_, i) => i) : [start.partition];
  const next = new Map<number, number>();
  for (const index of indexes) {
    const p = partitionOf(ctx, topic, index);
    await p.awaitLogEnd();
    if (start.offset !== undefined) {
      if (start.offset < p.logStartOffset || start.offset > p.highWatermark) {
        throw new HttpApiError(416, 'SLUICE_HTTP_OFFSET_OUT_OF_RANGE', `offset ${start.offset} is outside ${topic}-${index}, which holds ${p.logStartOffset} to ${p.highWatermark - 1}`, `start from ${p.logStartOffset} to ${p.highWatermark}`);
      }
      next.set(index, start.offset);
    } else if (start.time !== undefined) {
      const found = await listOffset(p, start.time);
      next.set(index, found.offset === -1 ? p.highWatermark : found.offset);
    } else {
      next.set(index, start.from === 'latest' ? p.highWatermark : p.logStartOffset);
    }
  }
  return next;
}

/** Resolves when any of `partitions` has new committed records, or `signal` aborts. */
function awaitData(partitions: Partition[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    const done = () => {
      for (const cancel of cancels) cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    for (const p of partitions) cancels.push(p.onData(done));
  });
}

/**
 * Records of `topic` from `next` on, as they arrive, until `signal` aborts or a
 * partition goes away (topic deleted, partition offline). A corrupt batch ends
 * the tail with SLUICE_HTTP_CORRUPT_BATCH rather than being skipped silently.
 */
export async function* tailRecords(ctx: HttpApiContext, topic: string, next: Map<number, number>, signal: AbortSignal): AsyncGenerator<TailedRecord> {
  while (!signal.aborted) {
    const partitions: Partition[] = [];
    let read = 0;
    for (const [index, from] of next) {
      const p = ctx.broker.partition(topic, index);
      if (!p || p.offline) return;
      partitions.push(p);
      const scan = scanRecords(p, from, { maxRecords: TURN_RECORDS, maxBytes: TURN_BYTES });
      read += scan.records.length;
      for (const record of scan.records) {
        next.set(index, record.offset + 1);
        yield { partition: index, record };
        if (signal.aborted) return;
      }
      next.set(index, scan.nextOffset);
      if (scan.records.length === 0 && scan.corrupt) {
        const { baseOffset, lastOffset } = scan.corrupt;
        throw new HttpApiError(500, 'SLUICE_HTTP_CORRUPT_BATCH', `offsets ${baseOffset} to ${lastOffset} of ${topic}-${index} are in a batch that fails its CRC32C check`, `resume from offset ${lastOffset + 1}; sluice log verify lists the corrupt batches`);
      }
    }
    if (read > 0) continue;
    // Caught up. Records appended but not committed ask for their fsync, whose
    // high watermark move wakes us as the next append's does.
    for (const p of partitions) if (p.highWatermark < p.logEndOffset) void p.awaitLogEnd();
    await awaitData(partitions, signal);
  }
}
